"""PDF/X: the output intent and the identification a press's preflight looks for."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from ..facts import PDF_NS, PDFX_NS, DocumentFacts
from ..registry import Hit, rule


@rule("pdf-output-intent", editions=("print",))
def output_intent(facts: DocumentFacts) -> Iterator[Hit]:
    """One PDF/X output intent (``/S /GTS_PDFX``) embedding a CMYK (N=4) ICC profile."""
    intents = facts.pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array) or len(intents) == 0:
        yield Hit(
            "no output intent: the press cannot tell which CMYK printing condition the"
            " colours are for; write PDF/X with @color-profile device-cmyk"
            " { ... src: url(<CMYK .icc>) }"
        )
        return
    pdfx = [i for i in intents if str(i.get("/S", "")) == "/GTS_PDFX"]
    if not pdfx:
        yield Hit(
            "the output intents include none for PDF/X (/S /GTS_PDFX);"
            " write the file as PDF/X with a CMYK profile"
        )
        return
    if len(pdfx) > 1:
        yield Hit("more than one PDF/X output intent; keep one")
    intent = pdfx[0]
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        if intent.get("/DestOutputProfileRef") is None:
            yield Hit(
                "the PDF/X output intent embeds no ICC profile (DestOutputProfile);"
                " give @color-profile device-cmyk a CMYK .icc file"
            )
        return
    components = profile.get("/N")
    header = facts.reader.read(profile, limit=20)
    space = header[16:20] if len(header) >= 20 else b""
    if (components is not None and int(components) != 4) or space not in (b"CMYK", b""):
        found = space.decode("ascii", "replace").strip() or f"N={components}"
        yield Hit(
            f"the output intent's profile is {found}, not CMYK: a print file needs a"
            " CMYK output profile (e.g. Ghostscript's default_cmyk.icc)"
        )


@rule("pdf-pdfx", editions=("print",))
def pdfx_identification(facts: DocumentFacts) -> Iterator[Hit]:
    """The file claims a PDF/X version (in XMP for PDF/X-4, the same in the document
    info), is not encrypted, sets Trapped to True or False and has a title."""
    in_xmp = facts.xmp_values(PDFX_NS, "GTS_PDFXVersion")
    in_info = facts.info("/GTS_PDFXVersion")
    if facts.pdf.is_encrypted:
        yield Hit("the file is encrypted; PDF/X forbids encryption")
    if not in_xmp and not in_info:
        yield Hit(
            "the file does not claim PDF/X (no GTS_PDFXVersion in the XMP metadata or the"
            " document info); write it with pdf_variant='pdf/x-4'"
        )
        return
    version = in_xmp[0] if in_xmp else str(in_info)
    if in_xmp and in_info and in_info != in_xmp[0]:
        yield Hit(
            f"the PDF/X version differs between XMP ({in_xmp[0]}) and the document info"
            f" ({in_info}); make them agree"
        )
    if version.startswith("PDF/X-4") and not in_xmp:
        yield Hit("PDF/X-4 must be identified in the XMP metadata (pdfxid:GTS_PDFXVersion)")
    trapped_info = facts.info("/Trapped")
    trapped_xmp = facts.xmp_values(PDF_NS, "Trapped")
    values = [v for v in (trapped_info, *trapped_xmp) if v is not None]
    if not values or any(v not in ("True", "False") for v in values):
        yield Hit(
            f"{version} needs Trapped set to True or False (found"
            f" {', '.join(values) or 'nothing'}); set Trapped /False"
        )
    if not facts.title:
        yield Hit(f"{version} needs a document title (dc:title / Title); set the title")
