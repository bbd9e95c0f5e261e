"""Data shipped with Kohtaanto (see NOTICE.md): where it lives, for any layer to read.

A module of its own so search and the model can find the ESCO release without
importing the use cases (`kohtaanto.domain`)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
SHIPPED_ESCO_DIR = DATA_DIR / "esco"
