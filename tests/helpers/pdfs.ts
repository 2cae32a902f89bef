import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A real PDF of `pages` US-letter pages, each with its lines of text (made with pdf-lib). */
export async function makePdf(pages: string[][] = [['A first page']], opts: { padBytes?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([612, 792]);
    lines.forEach((line, i) => page.drawText(line, { x: 72, y: 720 - i * 22, size: 16, font }));
    page.drawRectangle({ x: 72, y: 300, width: 468, height: 200, borderWidth: 2 });
  }
  // Padding (a metadata field of random text) makes a PDF as large as a test needs.
  if (opts.padBytes) doc.setSubject(randomBytes(Math.ceil(opts.padBytes / 2)).toString('hex'));
  return doc.save();
}

/**
 * A PDF encrypted with the standard security handler whose user password is not empty: a reader
 * must ask for a password before it can show anything. Written by hand (pdf-lib does not encrypt):
 * catalog, pages, one page, the /Encrypt dictionary (RC4 40-bit, revision 2) and a correct xref.
 */
export function encryptedPdf(): Uint8Array {
  const hex = (n: number) => randomBytes(n).toString('hex');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(32)}> /U <${hex(32)}> /P -44 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  const id = hex(16);
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}
