"""Demo data of online consultation (open12348/core/demo/consultations.json), written through
the services: a volunteer unit, three volunteers with weekly shifts (one the fictitious lawyer
of the directory's demo data) and a few public questions of the demo citizen, some answered,
followed up, adopted and rated. Idempotent: accounts, volunteers and shifts that exist are
kept; a question is found again by its submit key; answers, messages, adoption and rating are
only added when missing. Everything is marked 示例."""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from open12348.accounts.models import User
from open12348.catalog.models import LegalCategory
from open12348.consultations import services
from open12348.consultations.models import Answer, Consultation, Message, Volunteer, VolunteerUnit
from open12348.orgs.models import OrgNode

DATA_FILE = Path(__file__).resolve().parents[1] / "core" / "demo" / "consultations.json"


def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def _user(username: str) -> User:
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise ValidationError(
            gettext("演示数据引用了不存在的账户：{username}（请先运行 seeddemo）。").format(username=username)
        )
    return user


def _area(code: str) -> OrgNode:
    node = OrgNode.objects.filter(code=code).first()
    if node is None:
        raise ValidationError(gettext("演示数据引用了不存在的区划代码：{code}。").format(code=code))
    return node


def _unit(spec: dict) -> VolunteerUnit:
    existing = VolunteerUnit.objects.filter(name=spec["name"]).first()
    if existing is not None:
        return existing
    unit = VolunteerUnit(
        name=spec["name"], kind=spec["kind"], area=_area(spec["area"]), contact=spec.get("contact", "")
    )
    return services.volunteer_unit_save(actor=None, unit=unit)


def _volunteer(spec: dict, unit: VolunteerUnit) -> Volunteer:
    from open12348.directory.models import Practitioner

    user = _user(spec["user"])
    existing = Volunteer.objects.filter(user=user).first()
    if existing is not None:
        return existing
    practitioner = None
    if spec.get("practitioner"):
        practitioner = Practitioner.objects.filter(licence_no=spec["practitioner"]).first()
        if practitioner is not None and Volunteer.objects.filter(practitioner=practitioner).exists():
            practitioner = None
    codes = spec.get("specialties", [])
    specialties = list(LegalCategory.objects.filter(code__in=codes))
    if len(specialties) != len(set(codes)):
        raise ValidationError(
            gettext("演示数据引用了不存在的法律类别：{codes}（请先运行 loadreference）。").format(
                codes="、".join(codes)
            )
        )
    volunteer = Volunteer(
        user=user,
        display_name=spec["display_name"],
        kind=spec["kind"],
        unit=unit,
        practitioner=practitioner,
        area=_area(spec["area"]),
    )
    volunteer = services.volunteer_save(actor=None, volunteer=volunteer, specialties=specialties)
    for weekday, starts, ends in spec.get("shifts", []):
        services.shift_create(
            actor=user,
            volunteer=volunteer,
            weekday=weekday,
            starts=datetime.time.fromisoformat(starts),
            ends=datetime.time.fromisoformat(ends),
        )
    return volunteer


def _question(spec: dict, asker: User) -> tuple[Consultation, bool]:
    before = Consultation.objects.count()
    consultation = services.consultation_ask(
        asker=asker,
        title=spec["title"],
        body=spec["body"],
        submit_key=f"demo-{spec['key']}",
        area=_area(spec["area"]),
        is_public=True,
    )
    answers: list[Answer] = []
    for answer_spec in spec.get("answers", []):
        author = _user(answer_spec["by"])
        answer = Answer.objects.filter(consultation=consultation, author=author).first()
        if answer is None:
            answer = services.answer_post(actor=author, consultation=consultation, body=answer_spec["body"])
        answers.append(answer)
    for message_spec in spec.get("messages", []):
        answer = answers[message_spec["answer"]]
        author = asker if message_spec["by"] == "asker" else _user(message_spec["by"])
        if not Message.objects.filter(answer=answer, author=author, body=message_spec["body"]).exists():
            services.message_post(actor=author, answer=answer, body=message_spec["body"])
    consultation.refresh_from_db()
    if spec.get("adopt") is not None and consultation.adopted_answer_id is None:
        services.answer_adopt(actor=asker, consultation=consultation, answer=answers[spec["adopt"]])
        consultation.refresh_from_db()
    if spec.get("rating") and consultation.rating is None and consultation.status == Consultation.Status.ADOPTED:
        services.consultation_rate(actor=asker, consultation=consultation, rating=spec["rating"])
    return consultation, Consultation.objects.count() > before


def seed_consultations(*, password: str, summary=None) -> int:
    """The demo volunteers and questions; returns how many questions were created. Runs after
    the accounts, the reference data and the directory's demo data (it links the lawyer)."""
    from open12348.core.demo import loader

    data = _load()
    loader._validate_password(password, [spec["username"] for spec in data["accounts"]])
    summary = summary if summary is not None else loader.Summary()
    orgs = {node.code: node for node in OrgNode.objects.filter(code__in=[s["org"] for s in data["accounts"]])}
    for spec in data["accounts"]:
        loader._staff_account(spec, password, orgs, summary)
    unit = _unit(data["unit"])
    for spec in data["volunteers"]:
        _volunteer(spec, unit)
    asker = _user(data["asker"])
    created = 0
    for spec in data["consultations"]:
        _consultation, made = _question(spec, asker)
        created += made
    return created
