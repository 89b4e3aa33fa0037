/**
 * Invoices (开票, ours; no public contract, reference §5.5) — the pure rules and the PDF.
 *
 *   query_invoice_apply   a partner asks for ONE invoice over 1–50 of its finished orders, to a buyer
 *                         (name, tax id). Refusals (SuccStat 1, FailReason, FailStartChargeSeq): 1 an order
 *                         unknown or another partner's (the same answer: another partner's order looks like
 *                         none), 2 not finished, 3 already invoiced (by any invoice), 4 an order listed twice,
 *                         5 nothing to invoice (TotalMoney 0). The first problem in list order is answered.
 *   InvoiceStat           1 applied (the PDF is being issued), 2 issued (InvoiceNo, IssueTime, the PDF in S3)
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

const InvoiceFail = { None: 0, UnknownOrder: 1, Unfinished: 2, AlreadyInvoiced: 3, Repeated: 4, NothingToInvoice: 5 } as const;
export const InvoiceStat = { Applied: 1, Issued: 2 } as const;
export type InvoiceStat = (typeof InvoiceStat)[keyof typeof InvoiceStat];

/** What the rules need of an order (undefined: no such order). */
export interface InvoiceOrderFacts {
  StartChargeSeq: string;
  OperatorID: string;
  finished: boolean;
  totalFen: number;
  invoiceSeq?: string | undefined;
}

export type InvoiceDecision = { ok: true; totalFen: number } | { ok: false; failReason: number; seq: string };

/** May `operatorId` invoice these orders (in the order the partner listed them)? */
export const invoiceDecision = (
  operatorId: string,
  seqs: readonly string[],
  orders: ReadonlyMap<string, InvoiceOrderFacts>,
  invoiceSeq: string,
): InvoiceDecision => {
  const seen = new Set<string>();
  let totalFen = 0;
  for (const seq of seqs) {
    if (seen.has(seq)) return { ok: false, failReason: InvoiceFail.Repeated, seq };
    seen.add(seq);
    const o = orders.get(seq);
    if (!o || o.OperatorID !== operatorId) return { ok: false, failReason: InvoiceFail.UnknownOrder, seq };
    if (!o.finished) return { ok: false, failReason: InvoiceFail.Unfinished, seq };
    if (o.invoiceSeq !== undefined && o.invoiceSeq !== invoiceSeq) return { ok: false, failReason: InvoiceFail.AlreadyInvoiced, seq };
    totalFen += o.totalFen;
  }
  if (totalFen === 0) return { ok: false, failReason: InvoiceFail.NothingToInvoice, seq: seqs[0] as string };
  return { ok: true, totalFen };
};

const SEQ_LENGTH = 27;

/** An InvoiceSeq we accept: like StartChargeSeq, 27 letters/digits starting with the caller's OperatorID. */
export const checkInvoiceSeq = (seq: string, operatorId: string): string | undefined => {
  if (seq.length !== SEQ_LENGTH) return `InvoiceSeq: must be ${SEQ_LENGTH} characters (got ${seq.length})`;
  if (!seq.startsWith(operatorId)) return `InvoiceSeq: must start with the caller's OperatorID ${operatorId}`;
  if (!/^[0-9A-Za-z]+$/.test(seq)) return 'InvoiceSeq: letters and digits only';
  return undefined;
};

/** Our invoice number: INV + the China-time date and time + the InvoiceSeq's last 6 (≤ 32 characters). */
export const invoiceNumber = (invoiceSeq: string, issuedAt: Date): string =>
  `INV${formatDateTime(issuedAt).replace(/\D/g, '')}${invoiceSeq.slice(-6)}`;

/** Printable ASCII as is; anything else (Chinese, tabs) as \uXXXX — what Helvetica can draw. */
const asciiText = (s: string): string =>
  Array.from(s, (ch) => {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x20 && c <= 0x7e) return ch;
    return c > 0xffff ? `\\u{${c.toString(16)}}` : `\\u${c.toString(16).padStart(4, '0')}`;
  }).join('');

export interface InvoiceLine {
  StartChargeSeq: string;
  StartTime: string;
  EndTime: string;
  TotalPower: number;
  TotalElecMoney: number;
  TotalSeviceMoney: number;
  TotalMoney: number;
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
