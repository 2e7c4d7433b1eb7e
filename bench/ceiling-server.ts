/** The ceiling: a bare Fastify server answering every request with the same bytes from memory (a Buffer). */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/** The body's type, and its Content-Encoding if it is compressed (a page's brotli bytes). */
const [bodyFile, port, type = 'application/json; charset=utf-8', encoding] = process.argv.slice(2);
// Bytes, as our caches keep answers and pages: a string would be encoded again on every request.
const body = readFileSync(bodyFile!);
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => {
  if (encoding) reply.header('content-encoding', encoding);
  return reply.type(type).send(body);
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log('listening');
