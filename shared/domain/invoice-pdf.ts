/**
 * The invoice PDF (pdf-lib), apart from the rules so that only the issuing function carries pdf-lib.
 *
 * The PDF is drawn with pdf-lib's standard Helvetica (WinAnsi): it cannot draw Chinese, and no CJK
 * font is embedded (a subset of one is several MB per Lambda). So the PDF is in English/ASCII: every
 * character outside printable ASCII (a Chinese buyer name) is written as its \uXXXX escape; the
 * exact name is in the invoice record and in the PDF's Subject metadata (UTF-16). The totals and the
 * order numbers are ASCII anyway.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { fenToYuan } from '../tcec/money.ts';
import { formatDateTime } from '../tcec/time.ts';
import type { BillTotals } from './billing.ts';

/** Printable ASCII as is; anything else (Chinese, tabs) as \uXXXX — what Helvetica can draw. */
const asciiText = (s: string): string =>
  Array.from(s, (ch) => {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x20 && c <= 0x7e) return ch;
    return c > 0xffff ? `\\u{${c.toString(16)}}` : `\\u${c.toString(16).padStart(4, '0')}`;
  }).join('');

/** One order on the invoice: its final bill's totals (shared/domain/billing.ts BillTotals). */
export interface InvoiceLine extends BillTotals {
  StartChargeSeq: string;
}

export interface InvoiceDocument {
  invoiceNo: string;
  InvoiceSeq: string;
  issuedAt: Date;
  seller: { name: string; operatorId: string };
  buyer: { name: string; taxId: string; operatorId: string };
  lines: readonly InvoiceLine[];
  totalFen: number;
}

const money = (x: number) => x.toFixed(2);
const ROWS_PER_PAGE = 30;

/** The invoice as a real PDF (pdf-lib, standard fonts, A4): header, buyer, one row per order, the total. */
export const renderInvoicePdf = async (d: InvoiceDocument): Promise<Uint8Array> => {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Invoice ${d.invoiceNo}`);
  pdf.setSubject(`Charging service invoice for ${d.buyer.name} (${d.buyer.taxId})`);
  pdf.setAuthor(d.seller.name);
  pdf.setKeywords([d.invoiceNo, d.InvoiceSeq, ...d.lines.map((l) => l.StartChargeSeq), `TOTAL ${fenToYuan(d.totalFen).toFixed(2)}`]);
  pdf.setCreationDate(d.issuedAt);
  pdf.setModificationDate(d.issuedAt);
  pdf.setProducer('EVCS Interconnect (pdf-lib)');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const pages = Math.max(1, Math.ceil(d.lines.length / ROWS_PER_PAGE));
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([595.28, 841.89]);
    let y = 800;
    const text = (s: string, x: number, size = 9, f = font) => page.drawText(asciiText(s), { x, y, size, font: f });
    text('CHARGING SERVICE INVOICE', 50, 16, bold);
    text(`Page ${p + 1} of ${pages}`, 480, 9);
    y -= 28;
    text(`Invoice No: ${d.invoiceNo}`, 50, 10, bold);
    text(`Issued: ${formatDateTime(d.issuedAt)} (UTC+8)`, 330, 10);
    y -= 16;
    text(`Request: ${d.InvoiceSeq}`, 50);
    y -= 14;
    text(`Seller: ${d.seller.name}  OperatorID ${d.seller.operatorId}`, 50);
    y -= 14;
    text(`Buyer: ${d.buyer.name}`, 50);
    y -= 14;
    text(`Buyer tax ID: ${d.buyer.taxId}   via partner ${d.buyer.operatorId}`, 50);
    y -= 24;
    const cols = [50, 205, 300, 395, 440, 485, 530];
    ['StartChargeSeq', 'Start', 'End', 'kWh', 'Elec', 'Service', 'Total'].forEach((h, i) => {
      text(h, cols[i] as number, 8, bold);
    });
    y -= 12;
    for (const l of d.lines.slice(p * ROWS_PER_PAGE, (p + 1) * ROWS_PER_PAGE)) {
      [
        l.StartChargeSeq,
        l.StartTime.slice(2, 16),
        l.EndTime.slice(2, 16),
        money(l.TotalPower),
        money(l.TotalElecMoney),
        money(l.TotalSeviceMoney),
        money(l.TotalMoney),
      ].forEach((v, i) => {
        text(v, cols[i] as number, 7);
      });
      y -= 11;
    }
    if (p === pages - 1) {
      y -= 14;
      text(`Orders: ${d.lines.length}    Total: ${fenToYuan(d.totalFen).toFixed(2)} CNY`, 50, 12, bold);
    }
  }
  return pdf.save();
};
