"""The PDF report handed to doctors."""

from casework.pdf.document import DocumentPhoto, EarlierCase, ReportDocument
from casework.pdf.fonts import FontSet, FontStatus, describe_fonts, ensure_fonts
from casework.pdf.render import render_pdf

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
