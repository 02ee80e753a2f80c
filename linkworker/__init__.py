"""LinkWorker core: the caseload, journeys, wellbeing, outcomes and returns. No Qt here."""

__version__ = "0.1.0"
