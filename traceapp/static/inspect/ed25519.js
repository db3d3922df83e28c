// Ed25519 verification: WebCrypto where the browser has it (Chrome 137+, Safari 17+,
// Firefox 129+), else the vendored, audited @noble/ed25519 (RFC 8032 mode).
// `?crypto=noble` on the app's address forces the fallback (tests use it).
const forced = typeof location !== "undefined" && new URLSearchParams(location.search).get("crypto") === "noble";
const imported = new Map();
let webCrypto = forced ? Promise.resolve(false) : null;
let noble = null;

async function hasWebCrypto() {
  if (webCrypto === null) {
    webCrypto = (async () => {
      try {
        const probe = new Uint8Array(32);
        probe[0] = 1;
        await crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"]);
        return true;
      } catch {
        return false;
      }
    })();
  }
  return webCrypto;
}

/** Which implementation verifies: "webcrypto" or "noble". */
export async function ed25519Engine() {
  return (await hasWebCrypto()) ? "webcrypto" : "noble";
}

function webCryptoKey(publicKey) {
  const id = publicKey.join(",");
  let key = imported.get(id);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]).catch(() => null);
    imported.set(id, key);
  }
  return key;
}

/** Get `publicKey` ready for ed25519Verify ahead of the first check (imported into WebCrypto). */
export async function ed25519Prepare(publicKey) {
  if (await hasWebCrypto()) await webCryptoKey(publicKey);
}

/** True if `signature` is `publicKey`'s Ed25519 signature of `message` (all Uint8Array). */
export async function ed25519Verify(publicKey, signature, message) {
  if (await hasWebCrypto()) {
    const cryptoKey = await webCryptoKey(publicKey);
    if (cryptoKey === null) return false;
    try {
      return await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, signature, message);
    } catch {
      return false;
    }
  }
  noble = noble || (await import("./vendor/noble-ed25519/index.js"));
  try {
    return await noble.verifyAsync(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
