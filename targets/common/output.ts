/** Collects a child's output stream, keeping at most `cap` bytes (a runaway probe cannot fill memory). */
export function collectOutput(stream: NodeJS.ReadableStream, cap = 4 * 1024 * 1024): { text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (c: Buffer) => {
    if (size < cap) chunks.push(c);
    size += c.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}
