"""The PDF report handed to doctors."""

from bot.pdf.document import DocumentPhoto, EarlierCase, ReportDocument
from bot.pdf.fonts import FontSet, FontStatus, describe_fonts, ensure_fonts
from bot.pdf.render import render_pdf

__all__ = [
    "DocumentPhoto",
    "EarlierCase",
    "FontSet",
    "FontStatus",
    "ReportDocument",
    "describe_fonts",
    "ensure_fonts",
    "render_pdf",
]
