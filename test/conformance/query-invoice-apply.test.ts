/**
 * query_invoice_apply / query_invoice_info / notification_invoice_info — ours (开票; reference §5.5,
 * no public contract), over HTTP through a profile that enables them. Two finished orders are
 * invoiced in one request; the PDF is issued asynchronously into S3 (a real PDF, parsed back with
 * pdf-lib), pushed with its download link, and the link serves the same bytes. Bad input: another
 * partner's order, an unfinished order, an order already invoiced, an order listed twice, a
 * malformed tax id or InvoiceSeq — each a defined answer, nothing written.
 */
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { InvoiceStat } from '../../shared/domain/invoices.ts';
import { issueInvoice } from '../../shared/services/invoice-issue.ts';
import { createInvoice, getInvoice } from '../../shared/store/invoices.ts';
import { getObject, listObjects } from '../../shared/store/objects.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { type ChargingCtx, DATE_TIME, seqOf, useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { extensionSeed } from '../support/extensions.ts';
import { demo } from '../support/push.ts';

const ctx: ChargingCtx = useChargingPlatform({
  seedFile: extensionSeed(['query_invoice_apply', 'query_invoice_info', 'notification_invoice_info']),
});
const TAX_ID = '91110000MA01H3BQ2X';
const fen = (x: number) => Math.round(x * 100);

/** every text the PDF's pages draw (Helvetica: hex strings in the content streams) */
const pdfText = async (bytes: Uint8Array): Promise<{ doc: PDFDocument; text: string }> => {
  const doc = await PDFDocument.load(bytes);
  let text = '';
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
    for (const s of streams) {
      if (!(s instanceof PDFRawStream)) continue;
      const raw = s.dict.get(PDFName.of('Filter')) ? inflateSync(s.contents) : Buffer.from(s.contents);
      for (const m of raw.toString('latin1').matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g))
        text += `${Buffer.from(m[1]!, 'hex').toString('latin1')}\n`;
    }
  }
  return { doc, text };
};

const apply = (data: Record<string, unknown>, who = ctx.p1) =>
  who.call('query_invoice_apply', { InvoiceSeq: seqOf(who), BuyerName: 'Fleet Co 北京', BuyerTaxID: TAX_ID, ...data });

describe('query_invoice_apply — ours (开票), profile extension', () => {
  let finished: string[] = [];

  describe('notification_invoice_info — pushed once the invoice is issued (ours)', () => {
    it('invoices two finished orders: one PDF in S3, pushed with a link, the link serves it', async () => {
      const a = await ctx.charging(ctx.p1, 'FX0001E01C1');
      await ctx.stopped(ctx.p1, a, 'FX0001E01C1');
      const b = await ctx.charging(ctx.p1, 'FX0001E01C2');
      await ctx.stopped(ctx.p1, b, 'FX0001E01C2');
      finished = [a, b];
      const totals = await Promise.all(
        finished.map(async (s) =>
          fen(((await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: s })).data as { TotalMoney: number }).TotalMoney),
        ),
      );
      const totalFen = totals[0]! + totals[1]!;

      const invoiceSeq = seqOf(ctx.p1);
      const r = await apply({ InvoiceSeq: invoiceSeq, StartChargeSeqs: finished });
      expect(r.ret, r.msg).toBe(0);
      expect(r.data).toMatchObject({ InvoiceSeq: invoiceSeq, SuccStat: 0, FailReason: 0 });
      // the same request again: the same answer, no second invoice
      expect((await apply({ InvoiceSeq: invoiceSeq, StartChargeSeqs: finished })).data).toMatchObject({ SuccStat: 0 });
      // the same InvoiceSeq for other orders: 4004
      expect((await apply({ InvoiceSeq: invoiceSeq, StartChargeSeqs: [a] })).ret).toBe(4004);

      const info = await eventually(
        async () => (await ctx.p1.call('query_invoice_info', { InvoiceSeq: invoiceSeq })).data as Record<string, unknown>,
        { until: (d) => d.InvoiceStat === 2, what: `${invoiceSeq} issued` },
      );
      expect(info).toMatchObject({ InvoiceSeq: invoiceSeq, StartChargeSeqs: finished, BuyerName: 'Fleet Co 北京', BuyerTaxID: TAX_ID });
      expect(fen(info.TotalMoney as number)).toBe(totalFen);
      expect(info.IssueTime).toMatch(DATE_TIME);
      expect(info.InvoiceNo).toMatch(/^INV\d{14}/);

      // the push, with the same invoice and a link
      const push = await eventually(
        async () =>
          demo(ctx.platform, ctx.p1.partner.operatorId).received.find(
            (p) => p.iface === 'notification_invoice_info' && p.data.InvoiceSeq === invoiceSeq,
          ),
        { until: (p) => p?.accepted === true, what: 'notification_invoice_info delivered' },
      );
      expect(push!.data).toMatchObject({ InvoiceSeq: invoiceSeq, InvoiceStat: 2, InvoiceNo: info.InvoiceNo, TotalMoney: info.TotalMoney });

      // the link is a presigned GET of the PDF: it serves the stored bytes
      const url = info.DownloadUrl as string;
      expect(url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
      expect(url).toMatch(/X-Amz-Expires=3600/);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const key = (await getInvoice(invoiceSeq))?.objectKey;
      expect(key).toMatch(new RegExp(`^invoices/${ctx.p1.partner.operatorId}/${invoiceSeq}-\\d+-[0-9a-f]{8}\\.pdf$`));
      const stored = await getObject('exports', key!);
      expect(Buffer.from(bytes).equals(Buffer.from(stored!))).toBe(true);

      // a real PDF: pdf-lib parses it; its pages show the order numbers, the buyer (Chinese escaped) and the total
      const { doc, text } = await pdfText(bytes);
      expect(doc.getPageCount()).toBe(1);
      expect(doc.getTitle()).toBe(`Invoice ${info.InvoiceNo}`);
      expect(doc.getSubject()).toContain('Fleet Co 北京');
      for (const s of finished) expect(text).toContain(s);
      expect(text).toContain(`Invoice No: ${info.InvoiceNo}`);
      expect(text).toContain('Buyer: Fleet Co \\u5317\\u4eac');
      expect(text).toContain(`Total: ${(totalFen / 100).toFixed(2)} CNY`);

      // the orders carry the invoice
      for (const s of finished) expect((await getOrder(s))?.invoiceSeq).toBe(invoiceSeq);
    });
  });

  it('refuses an order already invoiced, listed twice, unfinished, unknown or another partner’s: nothing written', async () => {
    expect(finished).toHaveLength(2);
    const [a, b] = finished as [string, string];
    const c = await ctx.charging(ctx.p1, 'FX0001E02C1');
    const other = await ctx.charging(ctx.p2, 'FX0003E01C1');
    await ctx.stopped(ctx.p2, other, 'FX0003E01C1');
    const cases: Array<[string[], number, string]> = [
      [[c, a], 2, c],
      [[a], 3, a],
      [[b, b], 3, b],
      [[seqOf(ctx.p1)], 1, ''],
      [[other], 1, other],
    ];
    for (const [seqs, reason, failSeq] of cases) {
      const invoiceSeq = seqOf(ctx.p1);
      const r = await apply({ InvoiceSeq: invoiceSeq, StartChargeSeqs: seqs });
      expect(r.ret, r.msg).toBe(0);
      expect(r.data).toMatchObject({
        InvoiceSeq: invoiceSeq,
        SuccStat: 1,
        FailReason: reason,
        ...(failSeq ? { FailStartChargeSeq: failSeq } : {}),
      });
      expect(await getInvoice(invoiceSeq)).toBeUndefined();
    }
    // an order listed twice, not yet invoiced
    await ctx.stopped(ctx.p1, c, 'FX0001E02C1');
    finished.push(c);
    expect((await apply({ StartChargeSeqs: [c, c] })).data).toMatchObject({ SuccStat: 1, FailReason: 4, FailStartChargeSeq: c });
    expect((await getOrder(c))?.invoiceSeq).toBeUndefined();
    expect((await getOrder(other))?.invoiceSeq).toBeUndefined();
    // another partner's invoice looks like none
    expect((await ctx.p1.call('query_invoice_info', { InvoiceSeq: seqOf(ctx.p1) })).ret).toBe(4004);
  });

  it('issued by attempts at once (a repeated request sends the issue again; one millisecond): the PDF the record names stays, the others go', async () => {
    const c = finished[2];
    expect(c).toBeDefined();
    const invoiceSeq = seqOf(ctx.p1);
    // the applied record as query_invoice_apply writes it; the issue messages are this test's own
    const applied = { OperatorID: ctx.p1.partner.operatorId, BuyerName: 'Fleet Co', BuyerTaxID: TAX_ID, totalFen: 1 };
    const now = new Date();
    expect(
      await createInvoice({
        InvoiceSeq: invoiceSeq,
        StartChargeSeqs: [c!],
        stat: InvoiceStat.Applied,
        appliedAt: now.toISOString(),
        ...applied,
      }),
    ).toBe('created');
    // three attempts at once with one clock: all see it applied, one issues it
    await Promise.all([1, 2, 3].map(() => issueInvoice({ InvoiceSeq: invoiceSeq }, now)));
    await ctx.platform.cloud.drain({ timeoutMs: 60_000 });
    const inv = await getInvoice(invoiceSeq);
    expect(inv?.objectKey).toBeDefined();
    const left = await listObjects('exports', `invoices/${ctx.p1.partner.operatorId}/${invoiceSeq}-`);
    expect(left.map((o) => o.key)).toEqual([inv!.objectKey]);
    const info = (await ctx.p1.call('query_invoice_info', { InvoiceSeq: invoiceSeq })).data as { DownloadUrl: string };
    expect((await fetch(info.DownloadUrl)).status).toBe(200);
  });

  it('malformed input → Ret 4004 naming the field; a partner without the extension → 4004 "not enabled"', async () => {
    const tax = await apply({ StartChargeSeqs: [seqOf(ctx.p1)], BuyerTaxID: 'abc' });
    expect(tax.ret).toBe(4004);
    expect(tax.msg).toMatch(/BuyerTaxID/);
    const none = await apply({ StartChargeSeqs: [] });
    expect(none.ret).toBe(4004);
    expect(none.msg).toMatch(/StartChargeSeqs/);
    const seq = await apply({ InvoiceSeq: 'MA01H3BQ2x', StartChargeSeqs: [seqOf(ctx.p1)] });
    expect(seq.ret).toBe(4004);
    expect(seq.msg).toMatch(/InvoiceSeq: must be 27 characters/);
    const p2 = await apply({ StartChargeSeqs: [seqOf(ctx.p2)] }, ctx.p2);
    expect(p2.ret).toBe(4004);
    expect(p2.msg).toMatch(/not enabled/);
  });
});

describe('query_invoice_info — ours (开票), profile extension', () => {
  it('an unknown InvoiceSeq → 4004 "no such invoice"; a malformed one → 4004 naming the field; not enabled → 4004', async () => {
    const unknown = await ctx.p1.call('query_invoice_info', { InvoiceSeq: seqOf(ctx.p1) });
    expect(unknown.ret).toBe(4004);
    expect(unknown.msg).toMatch(/no such invoice/);
    const bad = await ctx.p1.call('query_invoice_info', { InvoiceSeq: 'x' });
    expect(bad.ret).toBe(4004);
    expect(bad.msg).toMatch(/InvoiceSeq/);
    const p2 = await ctx.p2.call('query_invoice_info', { InvoiceSeq: seqOf(ctx.p2) });
    expect(p2.ret).toBe(4004);
    expect(p2.msg).toMatch(/not enabled/);
  });
});
