"""The three bare views of B0. They run behind the product's full middleware stack (the
settings are the product's), so that later benchmarks compare like with like."""

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from bench.floor.models import Entry, Item


def hello(request):
    return HttpResponse(b"Hello, world\n", content_type="text/plain")


def read(request, pk: int):
    item = Item.objects.get(pk=pk)
    return HttpResponse(f"{item.code} {item.title}\n", content_type="text/plain; charset=utf-8")


@csrf_exempt
def create(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    entry = Entry.objects.create(title="基准测试 B0", body=request.body.decode("utf-8"))
    return HttpResponse(f"{entry.pk}\n", status=201, content_type="text/plain")
