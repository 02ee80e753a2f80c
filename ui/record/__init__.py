"""The person's record (``RecordView``) and its tabs."""

from ui.record.view import RecordView

__all__ = ["RecordView"]
