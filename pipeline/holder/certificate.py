"""The printable certificate `/c/<uuid>.pdf`: one A4 landscape page (fpdf2) with the badge, the
holder, the level and its framework, the issuer, the date, the credential id and a QR code
(segno) to the public page, where anyone can check it is still valid.

Text is set in DejaVu Sans when installed (any script); otherwise in the PDF core font
Helvetica, whose Latin-1 cannot show every name (other characters become `?`).
"""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

from pipeline.holder.artwork import font_file
from pipeline.holder.view import CredentialPage

INK, MUTED, ACCENT, LINE = (27, 36, 48), (90, 100, 114), (11, 92, 173), (216, 221, 228)


class _Certificate(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        regular, bold = font_file(False), font_file(True)
        if regular and bold:
            self.add_font("Sans", "", str(regular))
            self.add_font("Sans", "B", str(bold))
            self.family, self.unicode = "Sans", True
        else:
            self.family, self.unicode = "Helvetica", False

    def text_line(self, text: str, size: float, *, bold: bool = False, colour=INK, gap: float = 2.5) -> None:
        """A centred paragraph at the cursor; the cursor moves below it (plus `gap` mm)."""
        if not self.unicode:
            text = text.replace("\u2014", "-").replace("\u2019", "'").encode("latin-1", "replace").decode("latin-1")
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.set_x(30)
        self.multi_cell(self.w - 60, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_y(self.get_y() + gap)


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def certificate_pdf(page: CredentialPage, badge: bytes) -> bytes:
    """The certificate of `page` with the `badge` PNG."""
    pdf = _Certificate()
    pdf.set_title(page.title)
    pdf.set_author(page.issuer_name)
    pdf.set_subject(f"Open Badges 3.0 credential {page.uuid}")
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)
    pdf.image(io.BytesIO(badge), x=(pdf.w - 52) / 2, y=16, w=52, h=52)
    pdf.set_y(72)
    pdf.text_line("CERTIFICATE OF COMPETENCY", 12, bold=True, colour=ACCENT, gap=4)
    pdf.text_line("This certifies that", 12, colour=MUTED)
    pdf.text_line(page.holder, 28, bold=True, gap=3)
    level = f"{page.level.label} level" if page.level else "awarded level"
    pdf.text_line(f"has demonstrated every statement of the {level} of", 13, colour=MUTED)
    framework = page.framework.label if page.framework else f"{page.framework_code} {page.framework_version}"
    pdf.text_line(framework, 16, bold=True, gap=4)
    pdf.text_line(f"Issued by {page.issuer_name} on {page.issued_on}", 12)
    if page.source:
        pdf.text_line(f"Assessed by {page.source.get('name') or page.source.get('id')}", 11, colour=MUTED)
    qr_size = 34
    pdf.image(io.BytesIO(qr_png(page.url)), x=pdf.w - 20 - qr_size, y=pdf.h - 20 - qr_size, w=qr_size, h=qr_size)
    pdf.set_font(pdf.family, "", 9)
    pdf.set_text_color(*MUTED)
    left = [f"Check it is still valid: {page.url}", f"Credential id: urn:uuid:{page.uuid}",
            "Open Badges 3.0 \u00b7 W3C Verifiable Credential, signed by the issuer."]
    if page.attribution:
        left.append(f"Framework: {page.attribution}")
    for i, line in enumerate(left):
        pdf.set_xy(20, pdf.h - 46 + i * 6)
        pdf.cell(pdf.w - 80, 5, line if pdf.unicode else line.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())
