"""The answer-time promise's sweep (`services.consultations_sweep`) as a Tasks API task
(`make worker`), or from `manage.py sweepconsultations` where no worker runs. Each step is
taken once, so running it twice, or in two processes, sends nothing twice."""

from django.tasks import task

from open12348.consultations.services import consultations_sweep


@task
def consultations_sweep_task() -> dict[str, int]:
    return consultations_sweep()
