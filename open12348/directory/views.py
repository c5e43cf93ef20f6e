"""Public pages of the directory: search, an institution's page, a practitioner's page and
the credit look-up. Reads only (through directory.selectors); no account needed."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from open12348.directory import selectors
from open12348.directory.forms import TABS, CreditLookupForm, DirectorySearchForm


@require_GET
def search(request):
    form = DirectorySearchForm(request.GET)
    tab = form.tab
    if form.is_valid():
        filters = form.filters()
        other = {**filters, "kind": ""}  # the other tab's kinds differ: its count ignores the type
        institutions = selectors.institution_search(**(filters if tab == "institutions" else other))
        practitioners = selectors.practitioner_search(**(filters if tab == "practitioners" else other))
    else:
        institutions = selectors.institution_search().none()
        practitioners = selectors.practitioner_search().none()
    rows = institutions if tab == "institutions" else practitioners
    page = Paginator(rows, selectors.PER_PAGE).get_page(request.GET.get("page"))
    if tab == "practitioners":
        for practitioner in page.object_list:
            practitioner.years = selectors.years_of_practice(practitioner.practising_since)
    counts = {"institutions": institutions.count(), "practitioners": practitioners.count()}
    keep = {
        key: request.GET.get(key, "")
        for key in ("specialty", "area", "q")
        if request.GET.get(key) and key not in form.errors
    }
    base = reverse("directory:search")
    context = {
        "form": form,
        "tab": tab,
        "tabs": [
            {"key": key, "label": label, "count": counts[key], "href": f"{base}?{urlencode(keep | {'tab': key})}"}
            for key, label in TABS
        ],
        "page": page,
    }
    return render(request, "directory/search.html", context)


@require_GET
def institution_detail(request, pk: int):
    institution = selectors.institution_public(pk)
    if institution is None:
        raise Http404
    return render(request, "directory/institution.html", {"institution": institution})


@require_GET
def practitioner_detail(request, pk: int):
    profile = selectors.practitioner_profile(pk)
    if profile is None:
        raise Http404
    return render(request, "directory/practitioner.html", {"profile": profile, "practitioner": profile.practitioner})


@require_GET
def credit(request):
    form = CreditLookupForm(request.GET if "q" in request.GET else None)
    subjects = selectors.credit_lookup(form.cleaned_data["q"]) if form.is_bound and form.is_valid() else None
    return render(request, "directory/credit.html", {"form": form, "subjects": subjects})
