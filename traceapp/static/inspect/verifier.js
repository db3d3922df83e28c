// The label verifier of the inspectors' app: docs/code-format.md section 5, step by
// step, and the offline bundle of docs/offline-bundle.md. The verdict order is the
// one of keys/verdicts.py; tests/inspect/test_offline_browser.py (the parity test)
// keeps the two equal.
import { ed25519Prepare, ed25519Verify } from "./ed25519.js";

export const VERDICT_ORDER = [
  "not_genuine", "revoked_key", "not_in_bundle", "voided", "recalled", "expired", "genuine",
];
export const BUNDLE_FORMAT = "traceapp-offline-bundle/2";

const MAX_URI_LENGTH = 512;
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const HEAD = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/s;
const AUTHORITY = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;
const BASE_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const LOT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/;
const PRODUCT_REF = /^[A-Za-z0-9._-]{1,20}$/;
const SERIAL = /^[0-9A-HJKMNP-TV-Z]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DIGITS = /^[0-9]+$/;
// What Python's str.strip() removes among the characters a %XX escape can give.
const PY_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0";

class Malformed extends Error {}

function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.includes(text[start])) start++;
  while (end > start && PY_SPACE.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

function unescape(part) {
  if (!part.includes("%")) return part;
  if (BAD_ESCAPE.test(part)) throw new Malformed("the label code has a broken %-escape");
  return part.replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function gtinCheckDigit(body) {
  let total = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    total += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (total % 10)) % 10;
}

function normalizeGtin(text) {
  const digits = pyStrip(text);
  if (!DIGITS.test(digits)) throw new Malformed("a GTIN has only the digits 0-9");
  if (![8, 12, 13, 14].includes(digits.length)) throw new Malformed("a GTIN has 8, 12, 13 or 14 digits");
  const gtin = digits.padStart(14, "0");
  if (/^0+$/.test(gtin)) throw new Malformed("the all-zero GTIN is not a trade item number");
  if (Number(gtin[13]) !== gtinCheckDigit(gtin.slice(0, 13))) throw new Malformed("wrong GTIN check digit");
  return gtin;
}

export function base64urlDecode(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeSignatureField(value) {
  if (!value) throw new Malformed("the signature (AI 8030) is empty");
  if (value[0] !== "1") throw new Malformed(`unsupported label format version '${value[0]}': this verifier reads format 1`);
  if (value.length !== 89) throw new Malformed("the signature (AI 8030) must have 89 characters");
  if (!BASE64URL.test(value.slice(1))) throw new Malformed("the signature must use only base64url characters");
  // 86 characters carry 516 bits: the last one's 4 unused low bits must be zero.
  if (!"AQgw".includes(value[88])) throw new Malformed("the signature's last character is not canonical base64url");
  return { keyId: value.slice(1, 3), signature: base64urlDecode(value.slice(3)) };
}

/** Steps 1-7: the code's fields, or throw Malformed. */
export function parseCode(uri) {
  if (typeof uri !== "string") throw new Malformed("a label code is text");
  if (uri.length > MAX_URI_LENGTH) throw new Malformed("a label code has at most 512 characters");
  const text = uri.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (!text) throw new Malformed("the label code is empty");
  if (!URI_CHARS.test(text)) throw new Malformed("the label code contains characters that cannot appear in a URL");
  if (text.includes("#")) throw new Malformed("a label code has no #fragment");
  const question = text.indexOf("?");
  if (question < 0) throw new Malformed("the signature (?8030=...) is missing");
  const head = text.slice(0, question);
  const query = text.slice(question + 1);
  const match = HEAD.exec(head);
  if (!match) throw new Malformed("a label code is an http(s) URL");
  const segments = (match[3] || "").split("/").slice(1).map(unescape);
  if (segments.length < 6) throw new Malformed("the path must end with /01/{GTIN}/10/{lot}/21/{serial}");
  const [kind, item, lotAi, lot, serialAi, serial] = segments.slice(-6);
  let gtin = null;
  let productRef = null;
  if (kind === "01") {
    if (item.length !== 14) throw new Malformed("the GTIN in a label code has 14 digits");
    gtin = normalizeGtin(item);
  } else if (kind === "p") {
    if (!PRODUCT_REF.test(item) || item === "." || item === "..") throw new Malformed("bad product reference");
    productRef = item;
  } else {
    throw new Malformed("the path must end with /01/{GTIN}/10/{lot}/21/{serial}");
  }
  if (lotAi !== "10" || serialAi !== "21") throw new Malformed("the path must end with /10/{lot}/21/{serial}");
  const equals = query.indexOf("=");
  if (query.includes("&") || equals < 0 || unescape(query.slice(0, equals)) !== "8030") {
    throw new Malformed("the only query parameter of a label code is 8030 (the signature)");
  }
  const { keyId, signature } = decodeSignatureField(unescape(query.slice(equals + 1)));
  if (!LOT.test(lot)) throw new Malformed("bad lot");
  if (!SERIAL.test(serial)) throw new Malformed("bad serial");
  const scheme = match[1].toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw new Malformed("a label code is an http(s) URL");
  const host = AUTHORITY.exec(match[2]);
  if (!host || (host[2] !== undefined && Number(host[2]) > 65535)) throw new Malformed("the URL's host name is not valid");
  for (const segment of segments.slice(0, -6)) {
    if (!BASE_SEGMENT.test(segment) || segment === "." || segment === "..") {
      throw new Malformed("the URL's path before the product part is not valid");
    }
  }
  return { gtin, productRef, lot, serial, keyId, signature };
}

function signedBytes(issuer, code) {
  const item = code.gtin !== null ? `gtin=${code.gtin}` : `ref=${code.productRef}`;
  const text = `TRACEAPP-LABEL/1\nissuer=${issuer}\nkid=${code.keyId}\n${item}\nlot=${code.lot}\nserial=${code.serial}\n`;
  return new TextEncoder().encode(text);
}

/** A key document (docs/code-format.md section 6) as {issuer, keys: Map kid -> key}. */
export function readKeyDocument(document) {
  if (!document || typeof document !== "object" || !Array.isArray(document.keys)) {
    throw new Error("the key document must have a keys list");
  }
  const keys = new Map();
  for (const jwk of document.keys) {
    if (!jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)) {
      throw new Error("each key must be an Ed25519 key with a 43-character x");
    }
    if (!["active", "retired", "revoked"].includes(jwk.status)) throw new Error(`key ${jwk.kid}: bad status`);
    if (keys.has(jwk.kid)) throw new Error(`key id ${jwk.kid} is listed twice`);
    keys.set(jwk.kid, { kid: jwk.kid, x: base64urlDecode(jwk.x), status: jwk.status, revokedAt: jwk.revoked_at || null });
  }
  return { issuer: document.issuer, keys, document };
}

/** Steps 1-10: {verdict: genuine|tampered|unknown_key|revoked_key|malformed, code, detail}. */
export async function verifyCode(text, keyset) {
  let code;
  try {
    code = parseCode(text);
  } catch (error) {
    if (error instanceof Malformed) return { verdict: "malformed", code: null, detail: error.message };
    throw error;
  }
  const key = keyset.keys.get(code.keyId);
  if (!key) return { verdict: "unknown_key", code, detail: `${keyset.issuer} has published no key ${code.keyId}` };
  if (!(await ed25519Verify(key.x, code.signature, signedBytes(keyset.issuer, code)))) {
    return { verdict: "tampered", code, detail: "the signature does not match this code" };
  }
  if (key.status === "revoked") return { verdict: "revoked_key", code, detail: `key ${code.keyId} was revoked` };
  return { verdict: "genuine", code, detail: `signed by ${keyset.issuer} with key ${code.keyId}` };
}

/** keys/verdicts.py decide_verdict: [verdict, reason]; record null = not in the bundle. */
export function decideVerdict(signature, record) {
  if (["malformed", "tampered", "unknown_key"].includes(signature)) return ["not_genuine", signature];
  if (record && !record.issued) return ["not_genuine", "unknown_code"];
  if (signature === "revoked_key") return ["revoked_key", "revoked_key"];
  let verdict;
  if (!record) verdict = "not_in_bundle";
  else if (record.voided) verdict = "voided";
  else if (record.batchStatus === "recalled") verdict = "recalled";
  else if (record.batchStatus !== "certified" || !record.certificationValid) verdict = "expired";
  else verdict = "genuine";
  return [verdict, verdict];
}

/** The canonical JSON a statement's signature covers (keys/statements.py). */
export function canonicalJson(value) {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value !== null && typeof value === "object") {
    return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonicalJson(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

export class InvalidBundle extends Error {}

function itemKey(gtin, productRef, lot) {
  return `${gtin ?? ""}|${productRef ?? ""}|${lot}`;
}

const dayFormats = new Map();

/** Today's date (YYYY-MM-DD) in `timeZone`: the day certifications must be valid on. */
export function localDay(timeZone, now = new Date()) {
  // A new formatter costs half as much as a whole check: keep one per zone.
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}

// The service sends a bundle as the canonical JSON of the whole signed document, so
// its signed bytes are the text without its "signature" member, which canonical
// order puts last but for "timezone". Taking them so, and parsing only those bytes,
// spares re-serialising megabytes on a slow phone (docs/offline-bundle.md, 2).
const SIGNED_TAIL = /,"signature":(\{"alg":"EdDSA","kid":"[A-Za-z0-9_-]{2}","sig":"[A-Za-z0-9_-]{86}"\})((?:,"timezone":"[^"\\]*")?\})\s*$/;

function splitSigned(text, fast = true) {
  const tail = fast ? SIGNED_TAIL.exec(text) : null;
  try {
    if (tail) {
      const body = text.slice(0, tail.index) + tail[2];
      return { document: JSON.parse(body), signedBytes: new TextEncoder().encode(body), signature: JSON.parse(tail[1]), fast: true };
    }
    const document = JSON.parse(text);
    const body = { ...document };
    delete body.signature;
    return { document, signedBytes: new TextEncoder().encode(canonicalJson(body)), signature: document && document.signature };
  } catch (error) {
    throw new InvalidBundle(`the bundle is not valid JSON: ${error.message}`);
  }
}

/**
 * Check a bundle (its JSON text) against the trusted key document, as keys/bundle.py
 * OfflineBundle.load does; throws InvalidBundle saying why it is refused.
 */
export async function loadBundle(text, trusted, fast = true) {
  const { document, signedBytes, signature, fast: cut } = splitSigned(text, fast);
  if (!document || document.format !== BUNDLE_FORMAT) throw new InvalidBundle(`not an offline bundle (format ${BUNDLE_FORMAT} expected)`);
  if (document.issuer !== trusted.issuer) throw new InvalidBundle(`the bundle is from ${document.issuer}, not ${trusted.issuer}`);
  let keyset;
  try {
    keyset = readKeyDocument(document.keys);
  } catch (error) {
    throw new InvalidBundle(`the bundle's key document is invalid: ${error.message}`);
  }
  if (keyset.issuer !== trusted.issuer) throw new InvalidBundle("the bundle's key document is from another issuer");
  for (const key of trusted.keys.values()) {
    const inside = keyset.keys.get(key.kid);
    if (key.status === "revoked" && (!inside || inside.status !== "revoked")) {
      throw new InvalidBundle(`the bundle is older than your key document: key ${key.kid} is revoked`);
    }
  }
  const kid = signature && typeof signature === "object" ? String(signature.kid ?? "") : "";
  for (const keys of [trusted, keyset]) {
    const key = keys.keys.get(kid);
    if (key && key.status === "revoked") throw new InvalidBundle(`the bundle is signed with key ${kid}, which is revoked`);
  }
  const signer = trusted.keys.get(kid);
  let valid = false;
  if (signer && typeof signature.sig === "string" && BASE64URL.test(signature.sig)) {
    valid = await ed25519Verify(signer.x, base64urlDecode(signature.sig), signedBytes);
  }
  // Not the service's own spelling (re-indented, say): check the canonical JSON instead.
  if (!valid && cut) return loadBundle(text, trusted, false);
  if (!valid) throw new InvalidBundle("the bundle's signature does not verify under the trusted keys");
  if (!Array.isArray(document.batches)) throw new InvalidBundle("the bundle must have a batches list");
  const batches = new Map();
  for (const batch of document.batches) {
    if (!batch || typeof batch !== "object") throw new InvalidBundle("each entry of batches must be an object");
    batches.set(itemKey(batch.gtin, batch.product_ref, String(batch.lot)), {
      data: batch,
      voided: new Set(batch.voided_serials || []),
      periods: (batch.certifications || []).map((c) => [c.valid_from, c.valid_to]),
    });
  }
  const timeZone = document.timezone || "UTC";
  // What the first check would otherwise pay for, paid now: the keys imported into
  // WebCrypto and the day's formatter made.
  await Promise.all([...keyset.keys.values()].map((key) => ed25519Prepare(key.x)));
  localDay(timeZone);
  return { document, keyset, batches, generatedAt: document.generated_at, timeZone };
}

/** The verdict on `text` with `bundle` on `day` (default: today in the issuer's zone). */
export async function checkCode(bundle, text, day = localDay(bundle.timeZone)) {
  const result = await verifyCode(text, bundle.keyset);
  const code = result.code;
  const batch = code ? bundle.batches.get(itemKey(code.gtin, code.productRef, code.lot)) : undefined;
  const record = batch
    ? {
        issued: true,
        voided: batch.voided.has(code.serial),
        batchStatus: batch.data.status,
        // ISO dates compare as text: valid_from <= day <= valid_to.
        certificationValid: batch.periods.some(([from, to]) => from <= day && day <= to),
      }
    : null;
  const [verdict, reason] = decideVerdict(result.verdict, record);
  return { verdict, reason, detail: result.detail, code, batch: batch ? batch.data : null, day };
}
