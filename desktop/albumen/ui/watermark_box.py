"""A link's watermark as the share dialog and Settings ▸ New links both ask it: a check box and,
beside it, the line of text drawn over every picture the link shows (docs/DESIGN.md,
"Watermarked links").

The text is checked with the server's own rule (`albumen_photo.watermark`) before anything is
saved, so a text the server cannot draw is named in the dialog, not by a failed sync. While the
box is checked the downloads combo beside it offers no originals (the rule is the core's,
`link_rules`): viewers could take them unmarked.
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QWidget

from albumen.core.link_rules import allowed_download, downloads_for
from albumen.core.model import Download
from albumen_photo import watermark

NO_ORIGINALS = (
    "A watermarked link offers no originals: viewers could take them unmarked. It offers web "
    "sizes, watermarked, instead."
)


class WatermarkBox(QWidget):
    """The check box (`check`, worded by the caller, with its keyboard key) and the text
    (`edit`), enabled while the box is checked."""

    def __init__(self, check_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(check_text)
        self.check.setToolTip(
            "Draws a line of text across the middle of every picture the link shows, so proofs "
            "cannot be used as they are. Your photos here and on the server stay untouched."
        )
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("© Your Name")
        self.edit.setMaxLength(watermark.MAX_CHARACTERS)
        self.edit.setAccessibleName("Watermark text")
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)

    def set_text(self, text: str | None) -> None:
        """Show a link's watermark: checked with its text, or unchecked for none."""
        self.edit.setText(text or "")
        self.check.setChecked(text is not None)
        self.edit.setEnabled(text is not None)

    def text(self) -> str | None:
        """The watermark the box says: its text trimmed, None when unchecked (or blank)."""
        return watermark.cleaned(self.edit.text()) if self.check.isChecked() else None

    def problem(self) -> str | None:
        """Why the watermark cannot be saved, naming the field, or None."""
        if not self.check.isChecked():
            return None
        text = watermark.cleaned(self.edit.text())
        if text is None:
            return "Watermark: type the text to draw over the pictures, or turn Watermark off."
        reason = watermark.problem(text)
        return None if reason is None else f"Watermark: {reason}."

    def hold_downloads(self, combo: QComboBox) -> None:
        """Keep `combo` (its items' data: `Download` values) to what the link may offer, now
        and whenever the box is checked or unchecked."""
        self.check.toggled.connect(lambda checked: offer_downloads(combo, watermarked=checked))
        offer_downloads(combo, watermarked=self.check.isChecked())


def offer_downloads(combo: QComboBox, *, watermarked: bool) -> None:
    """Grey out in `combo` the downloads a link may not offer, saying why, and move a choice
    it may not offer to the one it may (a link of originals to web sizes)."""
    allowed = downloads_for(watermarked)
    model = combo.model()
    assert isinstance(model, QStandardItemModel)  # a plain QComboBox's own
    for index in range(combo.count()):
        offered = Download(combo.itemData(index)) in allowed
        item = model.item(index)
        item.setEnabled(offered)
        item.setToolTip("" if offered else NO_ORIGINALS)
    combo.setToolTip(NO_ORIGINALS if watermarked else "")
    current = Download(combo.currentData())
    settled = allowed_download(current, watermarked=watermarked)
    if settled is not current:
        combo.setCurrentIndex(combo.findData(settled.value))
