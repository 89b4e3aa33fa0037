/**
 * A small RFC 4180 CSV parser (no CSV library is installed): comma separator, fields optionally
 * enclosed in double quotes, `""` inside a quoted field is one quote, quoted fields may contain
 * commas and line breaks, records end with CRLF or LF, a UTF-8 BOM at the start is ignored, and
 * a final line break is optional. Pure, no I/O.
 */

export interface CsvRecord {
  /** 1-based record number as a spreadsheet shows it (the header is record 1) */
  readonly row: number;
  readonly fields: readonly string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(`row ${row}: ${message}`);
  }
}

export const parseCsv = (text: string): CsvRecord[] => {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  let row = 1;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // a completely empty line is not a record
    if (!(fields.length === 1 && fields[0] === '')) out.push({ row, fields });
    fields = [];
    row++;
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const n = src[i];
        if (n !== undefined && n !== ',' && n !== '\n' && n !== '\r') throw new CsvSyntaxError(row, 'text after a closing quote');
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted || field !== '') throw new CsvSyntaxError(row, 'a quote inside an unquoted field');
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new CsvSyntaxError(row, 'unterminated quoted field');
  if (field !== '' || fieldStarted || fields.length > 0) endRecord();
  return out;
};
