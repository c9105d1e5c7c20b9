"""An album's links: who has one, whether it works, how often it was opened; make, change,
copy and revoke them.

The table shows what the store knows, which works offline; view counts arrive with each sync.
A revoke is recorded at once and shown as pending until the server confirms it.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QDesktopServices,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from albumen.core.link_news import ends_soon
from albumen.core.link_state import effective_state, is_open
from albumen.core.model import Download, Link, LinkSettings, LinkState
from albumen.core.store import StoreError
from albumen.ui.confirm import confirm_revoke
from albumen.ui.context import AppContext
from albumen.ui.link_handover import Handover
from albumen.ui.share_dialog import ShareDialog
from albumen.ui.theme import tone_colour

LinkRole = Qt.ItemDataRole.UserRole + 1

COLUMNS = ["Label", "State", "Views", "Last viewed", "Expires", "Downloads", "Link"]
LABEL, STATE, VIEWS, LAST_VIEWED, EXPIRES, DOWNLOADS, URL = range(len(COLUMNS))

DOWNLOAD_TEXT = {Download.NONE: "None", Download.WEB: "Web size", Download.ORIGINAL: "Originals"}

_Index = QModelIndex | QPersistentModelIndex


STATE_TEXT = {
    LinkState.PENDING: "Pending",
    LinkState.ACTIVE: "Live",
    LinkState.REVOKE_PENDING: "Revoke pending",
    LinkState.REVOKED: "Revoked",
    LinkState.EXPIRED: "Expired",
}
STATE_TIP = {
    LinkState.PENDING: "Saved here; goes live when the server has it.",
    LinkState.ACTIVE: "Works for anyone who has it (and its password).",
    LinkState.REVOKE_PENDING: "Revoked here; the server is being told (it is offline, or "
    "about to answer).",
    LinkState.REVOKED: "No longer works.",
    LinkState.EXPIRED: "Its expiry date has passed.",
}


def _when(value: datetime | None, never: str = "—") -> str:
    return value.astimezone().strftime("%d %b %Y, %H:%M") if value else never


def is_usable(link: Link) -> bool:
    """Links that can still be changed, copied to send, or revoked."""
    return is_open(link)


def _picks_words(settings: LinkSettings) -> str:
    if not settings.allow_picks:
        return "off"
    limit = settings.pick_limit
    return f"viewers may send up to {limit} favourites" if limit else "viewers may send favourites"


def _downloaded_words(link: Link) -> str:
    if not link.download_count:
        return "not yet"
    times = "once" if link.download_count == 1 else f"{link.download_count} times"
    return f"{times}, last {_when(link.last_downloaded_at)}"


def _watermark_words(settings: LinkSettings) -> str:
    if settings.watermark is None:
        return "none"
    return f"“{html.escape(settings.watermark)}” over every picture"


class LinksModel(QAbstractTableModel):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id: str | None = None
        self._links: list[Link] = []

    def set_album(self, album_id: str | None) -> None:
        self.album_id = album_id
        self.refresh()

    def refresh(self) -> None:
        links = self.context.store.links(self.album_id) if self.album_id else []
        # Working links first, newest first; the revoked and expired after them.
        links.sort(key=lambda link: link.created_at, reverse=True)
        links.sort(key=lambda link: not is_usable(link))
        self.beginResetModel()
        self._links = links
        self.endResetModel()

    def links(self) -> list[Link]:
        return list(self._links)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._links)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._links):
            return None
        link = self._links[index.row()]
        column = index.column()
        if role == LinkRole:
            return link
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(link, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATE:
                return STATE_TIP[effective_state(link)]
            if column == URL:
                return self.context.link_url(link)
            if column == LABEL and link.has_password:
                return "Protected by a password"
        if role == Qt.ItemDataRole.ForegroundRole and not is_usable(link):
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.ForegroundRole and column == EXPIRES and ends_soon(link):
            return QBrush(tone_colour("warning"))  # the tray said so once; the panel goes on
        if role == Qt.ItemDataRole.TextAlignmentRole and column == VIEWS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, link: Link, column: int) -> str:
        if column == LABEL:
            return link.settings.label or "Untitled link"
        if column == STATE:
            return STATE_TEXT[effective_state(link)]
        if column == VIEWS:
            return str(link.view_count)
        if column == LAST_VIEWED:
            return _when(link.last_viewed_at, "Never")
        if column == EXPIRES:
            return _when(link.settings.expires_at, "Never")
        if column == DOWNLOADS:
            return DOWNLOAD_TEXT[link.settings.download]
        return self.context.link_url(link)


LIVE_UPDATE_MS = 10_000
"""How often the views of the links shown are asked for while the panel is on screen."""


class LinksPanel(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = LinksModel(context, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Links")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.doubleClicked.connect(lambda _index: self.edit_link())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.empty_label = QLabel("No links yet. Make one to send this album to someone.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.new_action = self._action("&New link…", self.new_link)
        self.edit_action = self._action("&Edit link…", self.edit_link, "Return")
        self.copy_link_action = self._action(
            "Copy &link", self.copy_link, QKeySequence.StandardKey.Copy
        )
        self.copy_password_action = self._action(
            "Copy &password", self.copy_password, "Ctrl+Shift+C"
        )
        self.copy_both_action = self._action(
            "Copy link &and password", self.copy_both, "Ctrl+Alt+C"
        )
        self.revoke_action = self._action("&Revoke…", self.revoke, QKeySequence.StandardKey.Delete)
        self.open_action = self._action("&Open as a viewer", self.open_as_viewer, "Ctrl+Return")
        self.open_action.setToolTip(
            "See the album in your browser as the people you send this link to will"
        )

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for action, text in (
            (self.new_action, "&New link…"),
            (self.edit_action, "&Edit…"),
            (self.copy_both_action, "&Copy"),
            (self.revoke_action, "&Revoke…"),
        ):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
            if action is self.copy_both_action:
                copy_menu = QMenu(button)
                copy_menu.addActions(
                    [self.copy_link_action, self.copy_password_action, self.copy_both_action]
                )
                button.setMenu(copy_menu)
                button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
                self.copy_button = button
        buttons.addStretch(1)
        # The table keeps to what tells links apart; the rest of the chosen one shows below.
        for column in (LAST_VIEWED, DOWNLOADS, URL):
            self.table.setColumnHidden(column, True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.message)

        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        context.events.links_changed.connect(self._links_changed)
        context.sync.links_changed.connect(self.refresh)
        # While the owner looks at live links, their views come back every few seconds, not
        # only with the sync's half-minute round (a sync with nothing queued is one request).
        self.live_updates = QTimer(self, interval=LIVE_UPDATE_MS)
        self.live_updates.timeout.connect(self._pull_views)
        self._update_actions()

    def _action(self, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Shortcuts act on the table only: Delete elsewhere removes photos, not links.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)
        return action

    # -- state ---------------------------------------------------------------------------------

    def set_album(self, album_id: str | None) -> None:
        self.message.clear()
        self.model.set_album(album_id)
        self._after_refresh()

    def refresh(self) -> None:
        selected = self.selected_link()
        self.model.refresh()
        if selected is not None:
            self.select(selected.id)
        self._after_refresh()

    def _links_changed(self, album_id: str) -> None:
        if album_id == self.model.album_id:
            self.refresh()

    def _pull_views(self) -> None:
        if self.isVisible() and any(link.state is LinkState.ACTIVE for link in self.model.links()):
            self.context.sync.request_sync()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.live_updates.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self.live_updates.stop()

    def _after_refresh(self) -> None:
        has_links = self.model.rowCount() > 0
        self.table.setVisible(has_links)
        self.empty_label.setVisible(not has_links and self.model.album_id is not None)
        if self.table.currentIndex().isValid() is False and has_links:
            self.table.selectRow(0)
        self._update_actions()

    def select(self, link_id: str) -> None:
        for row, link in enumerate(self.model.links()):
            if link.id == link_id:
                self.table.selectRow(row)
                return

    def selected_link(self) -> Link | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(LinkRole) if rows else None

    def _show_details(self, link: Link | None) -> None:
        if link is None:
            self.details.clear()
            return
        settings = link.settings
        shows = [
            name
            for name, shown in (
                ("places and map", settings.show_location),
                ("camera details", settings.show_metadata),
            )
            if shown
        ]
        rows = [
            ("Link", html.escape(self.context.link_url(link))),
            ("Password", "yes" if link.has_password else "none — anyone with the link"),
            ("Downloads", DOWNLOAD_TEXT[settings.download]),
            ("Shows", ", ".join(shows) if shows else "the photos only"),
            ("Picks", _picks_words(settings)),
            ("Watermark", _watermark_words(settings)),
            ("Expires", _when(settings.expires_at, "never")),
            ("Last viewed", _when(link.last_viewed_at, "never")),
            ("Downloaded", _downloaded_words(link)),
        ]
        self.details.setText(
            "<table>"
            + "".join(f"<tr><td><b>{k}</b>&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
            + "</table>"
        )

    def _update_actions(self) -> None:
        link = self.selected_link()
        self._show_details(link)
        usable = link is not None and is_usable(link)
        self.new_action.setEnabled(self.model.album_id is not None)
        self.edit_action.setEnabled(usable)
        self.copy_link_action.setEnabled(usable)
        known = usable and link is not None and link.has_password
        self.copy_password_action.setEnabled(known)
        self.copy_both_action.setEnabled(usable)
        self.revoke_action.setEnabled(usable)
        # Only what the server already serves opens: a pending link would show an error page.
        self.open_action.setEnabled(link is not None and effective_state(link) is LinkState.ACTIVE)

    def _context_menu(self, point: Any) -> None:
        menu = QMenu(self)
        for action in (
            self.new_action,
            self.edit_action,
            None,
            self.copy_link_action,
            self.copy_password_action,
            self.copy_both_action,
            self.open_action,
            None,
            self.revoke_action,
        ):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    # -- actions -------------------------------------------------------------------------------

    def open_as_viewer(self) -> None:
        """The link in the default browser, as a recipient opens it (with its password page,
        its rights, and what it hides)."""
        link = self.selected_link()
        if link is not None and self.open_action.isEnabled():
            QDesktopServices.openUrl(QUrl(self.context.link_url(link)))

    def new_link(self) -> None:
        if self.model.album_id is None:
            return
        dialog = ShareDialog(self.context, self.model.album_id, self)
        dialog.exec()
        if dialog.link is not None:  # the table has it already: saving told every view
            self.select(dialog.link.id)

    def edit_link(self) -> None:
        link = self.selected_link()
        if link is None or not is_usable(link):
            return
        ShareDialog(self.context, link.album_id, self, link=link).exec()

    def _handover(self) -> Handover | None:
        link = self.selected_link()
        if link is None or not is_usable(link):
            return None
        password = self.context.credentials.link_password(link.id) if link.has_password else None
        return Handover(self.context.link_url(link), password, link.state is LinkState.ACTIVE)

    def _copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.message.setText(f"{what} copied.")

    def _password_lost(self) -> None:
        self.message.setText(
            "This link's password is not kept on this computer (no keyring when it was made). "
            "Edit the link to set a new one."
        )

    def copy_link(self) -> None:
        handover = self._handover()
        if handover:
            self._copy(handover.url, "Link")

    def copy_password(self) -> None:
        handover = self._handover()
        if handover is None:
            return
        if handover.password is None:
            self._password_lost()
            return
        self._copy(handover.password, "Password")

    def copy_both(self) -> None:
        handover = self._handover()
        if handover is None:
            return
        link = self.selected_link()
        if link is not None and link.has_password and handover.password is None:
            self._password_lost()
            return
        self._copy(handover.both(), "Link and password" if handover.password else "Link")

    def revoke(self) -> None:
        link = self.selected_link()
        if link is None or not is_usable(link) or not confirm_revoke(self, link):
            return
        try:
            self.context.owner.revoke_link(link.id)
        except StoreError as error:
            self.message.setText(str(error))
            return
        self.message.setText(
            "Revoked. The server stops serving it as soon as it hears (at once when online)."
        )
