/** The ceiling: a bare Fastify server answering every request with the same bytes from memory (a Buffer). */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [bodyFile, port] = process.argv.slice(2);
// Bytes, as our response cache keeps its answers: a string would be encoded again on every request.
const body = readFileSync(bodyFile!);
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log('listening');
