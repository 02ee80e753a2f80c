"""Import and export windows (File menu): ``ImportWizard`` and ``export_everything``."""

from ui.io.export_dialog import export_everything
from ui.io.import_wizard import ImportWizard

__all__ = ["ImportWizard", "export_everything"]
