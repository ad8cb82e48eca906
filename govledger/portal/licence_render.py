"""A licence as a person knows it: its surface fields in the layout of its type, the seal, the
licence ID and a QR code, as an HTML card (the verify page, the printable page) and a PDF.

Only verified fields are rendered, and only those the document or presentation discloses; a
field it hides is printed as not shown. The layout is chosen by the licence's name (the type
code is the issuer's own, see docs/portal.md); a name without a layout of its own gets the
general one. A seal picture in PNG or JPEG is placed as it is; any other (the service's default
is an SVG drawing) is drawn from the seal's record: its name and seal id in a red circle.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from licence_service.domain.seal import Seal

# Built into ReportLab (Adobe's CID font for simplified Chinese): no font file is needed.
PDF_FONT = "STSong-Light"
SEAL_RED = "#c8102e"
_PICTURE_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "bmp": "image/bmp"}

Scalar = str | int | bool | None


@dataclass(frozen=True)
class Row:
    """One line of a layout: the field and its label (Chinese as printed, English)."""

    field: str
    label: str
    english: str


@dataclass(frozen=True)
class Layout:
    title: str
    english: str
    rows: tuple[Row, ...]


def _rows(*rows: tuple[str, str, str]) -> tuple[Row, ...]:
    return tuple(Row(*row) for row in rows)


GENERAL_LAYOUT = Layout(
    "电子证照",
    "E-licence",
    _rows(
        ("licence_number", "证照编号", "Licence number"),
        ("holder_name", "持证主体", "Holder"),
        ("holder_id_type", "证件类型", "Holder ID type"),
        ("holder_id_number", "证件号码", "Holder ID number"),
        ("issuer_name", "发证机关", "Issued by"),
        ("issue_date", "发证日期", "Issue date"),
    ),
)

# By licence name: the layouts of the licence types issued here (docs/portal.md).
LAYOUTS: Mapping[str, Layout] = {
    "居住证": Layout(
        "居住证",
        "Residence permit",
        _rows(
            ("holder_name", "姓名", "Name"),
            ("holder_id_number", "公民身份号码", "Resident ID number"),
            ("surface.居住地址", "居住地址", "Address"),
            ("licence_number", "证件编号", "Permit number"),
            ("surface.签发机关", "签发机关", "Issued by"),
            ("issue_date", "签发日期", "Issue date"),
        ),
    ),
    "营业执照": Layout(
        "营业执照",
        "Business licence",
        _rows(
            ("licence_number", "统一社会信用代码", "Unified social credit code"),
            ("holder_name", "名称", "Name"),
            ("surface.类型", "类型", "Type"),
            ("surface.法定代表人", "法定代表人", "Legal representative"),
            ("surface.注册资本", "注册资本", "Registered capital"),
            ("issue_date", "成立日期", "Date of establishment"),
            ("surface.住所", "住所", "Domicile"),
            ("surface.经营范围", "经营范围", "Business scope"),
            ("surface.登记机关", "登记机关", "Registration authority"),
        ),
    ),
    "食品经营许可证": Layout(
        "食品经营许可证",
        "Food business licence",
        _rows(
            ("holder_name", "经营者名称", "Operator"),
            ("licence_number", "许可证编号", "Licence number"),
            ("surface.经营场所", "经营场所", "Premises"),
            ("surface.主体业态", "主体业态", "Business form"),
            ("surface.经营项目", "经营项目", "Business items"),
            ("issuer_name", "发证机关", "Issued by"),
            ("issue_date", "签发日期", "Issue date"),
            ("surface.投诉举报电话", "投诉举报电话", "Complaints hotline"),
        ),
    ),
}

NOT_SHOWN = "未出示 · not shown"


@dataclass(frozen=True)
class LicenceView:
    """What is rendered: the verified, disclosed ``fields``, the header's dates (None when
    unknown here), the seal (None when this service does not hold it) and the QR's URL."""

    licence_id: str
    fields: Mapping[str, Scalar]
    valid_from: date | None
    valid_to: date | None
    seal: Seal | None
    verify_url: str | None


@dataclass(frozen=True)
class RenderedRow:
    label: str
    english: str
    value: str | None  # None: the field is not disclosed


@dataclass(frozen=True)
class RenderedLicence:
    title: str
    english: str
    rows: tuple[RenderedRow, ...]
    validity: str
    licence_id: str


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "是 · yes" if value else "否 · no"
    return "" if value is None else str(value)


def layout_of(view: LicenceView) -> Layout:
    return LAYOUTS.get(str(view.fields.get("licence_name", "")), GENERAL_LAYOUT)


def render_licence(view: LicenceView) -> RenderedLicence:
    """The licence's rows in its layout; disclosed fields the layout does not name follow."""
    layout = layout_of(view)
    named = {row.field for row in layout.rows} | {"licence_name"}
    rows = [
        RenderedRow(row.label, row.english, _text(view.fields[row.field]))
        if row.field in view.fields
        else RenderedRow(row.label, row.english, None)
        for row in layout.rows
    ]
    general = {row.field: row for row in GENERAL_LAYOUT.rows}
    for name, value in view.fields.items():
        if name not in named:
            row = general.get(name) or Row(name, *[name.removeprefix("surface.")] * 2)
            rows.append(RenderedRow(row.label, row.english, _text(value)))
    title = str(view.fields.get("licence_name") or layout.title)
    if view.valid_from is None:
        validity = ""
    else:
        until = "长期 · no end" if view.valid_to is None else view.valid_to.isoformat()
        validity = f"{view.valid_from.isoformat()} — {until}"
    return RenderedLicence(title, layout.english, tuple(rows), validity, view.licence_id)


# -- the seal ---------------------------------------------------------------------------------


def seal_svg(seal: Seal) -> str:
    """The seal drawn from its record: its name and seal id in a red circle."""
    name = _escape(seal.info.property.name)
    seal_id = _escape(seal.info.seal_id)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 42 42" width="42mm" height="42mm">'
        f'<circle cx="21" cy="21" r="19.5" fill="none" stroke="{SEAL_RED}" stroke-width="1.4"/>'
        f'<text x="21" y="17" font-size="9" text-anchor="middle" fill="{SEAL_RED}">★</text>'
        f'<text x="21" y="26" font-size="3.6" text-anchor="middle" fill="{SEAL_RED}">{name}</text>'
        f'<text x="21" y="32" font-size="2.2" text-anchor="middle" fill="{SEAL_RED}">{seal_id}'
        "</text></svg>"
    )


def seal_image_uri(seal: Seal) -> str:
    """A data URI of the seal's picture (PNG, JPEG, BMP as stored), else of its drawing."""
    picture = seal.info.picture
    media = _PICTURE_MEDIA.get(picture.type)
    if media is None:
        data, media = seal_svg(seal).encode("utf-8"), "image/svg+xml"
    else:
        data = picture.data
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def qr_svg_uri(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=4, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- PDF --------------------------------------------------------------------------------------


def licence_pdf(view: LicenceView) -> bytes:
    """The licence as a one-page A4 PDF: title, rows, validity, seal, QR code and licence ID."""
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    rendered = render_licence(view)
    out = io.BytesIO()
    width, height = A4
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{rendered.title} {rendered.licence_id}")
    margin = 20 * mm
    canvas.setStrokeColor(colors.HexColor(SEAL_RED))
    canvas.setLineWidth(2)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)

    canvas.setFont(PDF_FONT, 30)
    canvas.drawCentredString(width / 2, height - 45 * mm, rendered.title)
    canvas.setFont(PDF_FONT, 12)
    canvas.drawCentredString(width / 2, height - 53 * mm, rendered.english)

    label = ParagraphStyle("label", fontName=PDF_FONT, fontSize=11, leading=14)
    value = ParagraphStyle("value", fontName=PDF_FONT, fontSize=12, leading=16)
    hidden = ParagraphStyle("hidden", parent=value, textColor=colors.grey)
    cells = [
        [
            Paragraph(
                f"{_escape(row.label)}<br/><font size=8>{_escape(row.english)}</font>", label
            ),
            Paragraph(_escape(row.value), value)
            if row.value is not None
            else Paragraph(NOT_SHOWN, hidden),
        ]
        for row in rendered.rows
    ]
    if rendered.validity:
        validity = "有效期限<br/><font size=8>Valid</font>"
        cells.append([Paragraph(validity, label), Paragraph(rendered.validity, value)])
    table = Table(cells, colWidths=[45 * mm, width - 2 * margin - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    _, table_height = table.wrapOn(canvas, width - 2 * margin, height)
    table.drawOn(canvas, margin, height - 65 * mm - table_height)

    bottom = 28 * mm
    if view.verify_url is not None:
        _draw_qr(canvas, view.verify_url, margin, bottom + 8 * mm, 45 * mm)
        canvas.setFont(PDF_FONT, 8)
        canvas.drawString(margin, bottom + 3 * mm, "扫码核验 · Scan to verify")
    canvas.setFont(PDF_FONT, 8)
    canvas.drawString(margin, bottom - 2 * mm, f"证照标识 Licence ID  {rendered.licence_id}")
    if view.seal is not None:
        _draw_seal(canvas, view.seal, width - margin - 42 * mm, bottom + 8 * mm, 42 * mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares: crisp at any print or render resolution."""
    matrix = [list(row) for row in segno.make(url, error="m", micro=False).matrix]
    quiet = 2
    module = size / (len(matrix) + 2 * quiet)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                top = y + size - (r + quiet + 1) * module
                canvas.rect(x + (c + quiet) * module, top, module, module, stroke=0, fill=1)


def _draw_seal(canvas: Canvas, seal: Seal, x: float, y: float, size: float) -> None:
    picture = seal.info.picture
    if picture.type in {"png", "jpg"}:
        image = ImageReader(io.BytesIO(picture.data))
        canvas.drawImage(image, x, y, size, size, mask="auto", preserveAspectRatio=True)
        return
    red = colors.HexColor(SEAL_RED)
    centre_x, centre_y, radius = x + size / 2, y + size / 2, size / 2 - 1 * mm
    canvas.setStrokeColor(red)
    canvas.setFillColor(red)
    canvas.setLineWidth(1.5)
    canvas.circle(centre_x, centre_y, radius, stroke=1, fill=0)
    _draw_star(canvas, centre_x, centre_y + 5 * mm, 5 * mm)
    canvas.setFont(PDF_FONT, 9)
    canvas.drawCentredString(centre_x, centre_y - 5 * mm, seal.info.property.name)
    canvas.setFont(PDF_FONT, 5)
    canvas.drawCentredString(centre_x, centre_y - 10 * mm, seal.info.seal_id)


def _draw_star(canvas: Canvas, x: float, y: float, radius: float) -> None:
    path = canvas.beginPath()
    for point in range(10):
        r = radius if point % 2 == 0 else radius * 0.4
        angle = math.pi / 2 + point * math.pi / 5
        px, py = x + r * math.cos(angle), y + r * math.sin(angle)
        if point == 0:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
