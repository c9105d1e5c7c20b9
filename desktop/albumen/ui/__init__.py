"""PySide6 widgets and models: they present the core's state and forward the owner's commands."""
