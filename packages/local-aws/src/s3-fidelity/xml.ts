import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An S3 error answer: HTTP status plus the `<Error><Code>` and `<Message>` real S3 would send. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const malformedXml = (): S3Error =>
  new S3Error(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** Every element parses to an array, so repeated (flattened) S3 lists and single elements read the same way. */
export interface XmlElement {
  [name: string]: (XmlElement | string)[] | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  isArray: () => true,
});

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });

/** Parses an S3 request body and returns its root element; anything else than `<root>` is MalformedXML. */
export function parseXml(body: string, root: string): XmlElement {
  if (XMLValidator.validate(body) !== true) throw malformedXml();
  const document = parser.parse(body) as XmlElement;
  const [element] = elements(document, root);
  if (!element) throw malformedXml();
  return element;
}

export function elements(parent: XmlElement, name: string): XmlElement[] {
  return (parent[name] ?? []).map((child) => (typeof child === 'string' ? {} : child));
}

/** Text of every `name` child; an empty element counts as ''. */
export function texts(parent: XmlElement, name: string): string[] {
  return (parent[name] ?? []).map((child) => (typeof child === 'string' ? child : ''));
}

export function text(parent: XmlElement, name: string): string | undefined {
  return texts(parent, name)[0];
}

/** Serializes an S3 response document (arrays become repeated elements, as S3 flattens its lists). */
export function buildXml(root: string, content: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': S3_NAMESPACE, ...content } })}`;
}

export function errorXml(error: S3Error, requestId: string): string {
  const body = builder.build({
    Error: { Code: error.code, Message: error.message, RequestId: requestId, HostId: requestId },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
