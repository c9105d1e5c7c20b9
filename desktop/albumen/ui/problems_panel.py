"""The problems panel: files that could not be added, each with its reason, shown in the window
above the grid (not only in a log) until the owner dismisses it or adds again."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget


class ProblemsPanel(QWidget):
    """Files that could not be added, with the reason, in the window (not only in a log)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.list = QListWidget()
        self.list.setAccessibleName("Files that could not be added")
        self.list.setMaximumHeight(120)
        clear = QPushButton("&Dismiss")
        clear.clicked.connect(self.clear)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.hide()

    def show_problems(self, lines: list[str]) -> None:
        """One line per file; no lines hides the panel."""
        self.list.clear()
        self.list.addItems(lines)
        count = len(lines)
        self.heading.setText(f"<b>{count} file{'s' if count > 1 else ''} could not be added</b>")
        self.setVisible(bool(lines))

    def clear(self) -> None:
        self.list.clear()
        self.hide()
