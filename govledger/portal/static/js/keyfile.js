/* SM2 key files read and used in the browser: the private key never leaves it.
 *
 * Reads a PKCS#8 PEM ("PRIVATE KEY") or an encrypted one ("ENCRYPTED PRIVATE KEY": PBES2 with
 * PBKDF2-HMAC-SHA256 or -SHA1 and SM4-CBC, as `govledger department export-key` and
 * `openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256` write it). The key is derived with
 * WebCrypto's PBKDF2 and decrypted with sm-crypto's SM4; signatures are sm-crypto's SM2 with the
 * standard signer ID, DER-encoded (what the sign-in API verifies).
 * Runs in a page (globals sm2, sm4 from the vendored scripts) and in Node (for the tests).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require(process.env.GOVLEDGER_VENDOR + "/sm2.js"),
      require(process.env.GOVLEDGER_VENDOR + "/sm4.js"), globalThis.crypto);
  } else {
    root.GovKeyFile = factory(root.sm2, root.sm4, root.crypto);
  }
})(typeof self !== "undefined" ? self : this, function (sm2, sm4, webcrypto) {
  "use strict";

  const SIGNER_ID = "1234567812345678";
  const OID = {
    pbes2: "2a864886f70d01050d",
    pbkdf2: "2a864886f70d01050c",
    hmacSha1: "2a864886f70d0207",
    hmacSha256: "2a864886f70d0209",
    sm4Cbc: "2a811ccf55016802",
    sm2Curve: "2a811ccf5501822d",
  };
  const PRF_HASH = { [OID.hmacSha1]: "SHA-1", [OID.hmacSha256]: "SHA-256" };
  const TAG = { integer: 0x02, octets: 0x04, oid: 0x06, sequence: 0x30 };

  class KeyFileError extends Error {} // a message for people
  class DerError extends Error {} // a malformed structure: said to people as a damaged file

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  function tlv(bytes, offset) {
    if (offset + 2 > bytes.length) throw new DerError("truncated");
    const tag = bytes[offset];
    let length = bytes[offset + 1];
    let start = offset + 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count < 1 || count > 3) throw new DerError("bad length");
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
      start += count;
    }
    if (start + length > bytes.length) throw new DerError("truncated");
    return { tag, content: bytes.subarray(start, start + length), end: start + length };
  }

  function children(content, ...tags) {
    const found = [];
    for (let offset = 0; offset < content.length; ) {
      const item = tlv(content, offset);
      found.push(item);
      offset = item.end;
    }
    tags.forEach((tag, i) => {
      if (!found[i] || found[i].tag !== tag) throw new DerError("unexpected structure");
    });
    return found;
  }

  function pemBlock(text) {
    const match = /-----BEGIN ((?:ENCRYPTED )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(text);
    if (!match) {
      throw new KeyFileError(
        "This is not a PKCS#8 private key file (expected -----BEGIN PRIVATE KEY----- or " +
        "-----BEGIN ENCRYPTED PRIVATE KEY-----).");
    }
    let binary;
    try {
      binary = atob(match[2].replace(/\s+/g, ""));
    } catch (_) {
      throw new KeyFileError("The key file's base64 is damaged.");
    }
    return { encrypted: match[1].startsWith("ENCRYPTED"), der: Uint8Array.from(binary, (c) => c.charCodeAt(0)) };
  }

  // PrivateKeyInfo { version, AlgorithmIdentifier naming the SM2 curve, ECPrivateKey }.
  function privateKeyInfo(der) {
    const [, algorithm, wrapped] = children(tlv(der, 0).content, TAG.integer, TAG.sequence, TAG.octets);
    const oids = children(algorithm.content).filter((c) => c.tag === TAG.oid).map((c) => hex(c.content));
    if (!oids.includes(OID.sm2Curve)) throw new KeyFileError("This key is not an SM2 key.");
    const [, secret] = children(tlv(wrapped.content, 0).content, TAG.integer, TAG.octets);
    if (secret.content.length !== 32) throw new DerError("unexpected SM2 key length");
    const d = hex(secret.content);
    return { d, publicKey: sm2.getPublicKeyFromPrivateKey(d) };
  }

  // EncryptedPrivateKeyInfo { PBES2 { PBKDF2 { salt, iterations, [keyLength], [prf] }, SM4-CBC iv }, data }.
  async function decrypt(der, passphrase) {
    const [algorithm, data] = children(tlv(der, 0).content, TAG.sequence, TAG.octets);
    const [scheme, params] = children(algorithm.content, TAG.oid, TAG.sequence);
    const [kdf, cipher] = children(params.content, TAG.sequence, TAG.sequence);
    const [kdfName, kdfParams] = children(kdf.content, TAG.oid, TAG.sequence);
    const [cipherName, iv] = children(cipher.content, TAG.oid, TAG.octets);
    if (hex(scheme.content) !== OID.pbes2 || hex(kdfName.content) !== OID.pbkdf2 ||
        hex(cipherName.content) !== OID.sm4Cbc || iv.content.length !== 16) {
      throw new KeyFileError("Unsupported key encryption: expected PBES2 with PBKDF2 and SM4-CBC.");
    }
    const [salt, count, ...options] = children(kdfParams.content, TAG.octets, TAG.integer);
    let hash = "SHA-1";
    for (const option of options) {
      if (option.tag === TAG.sequence) hash = PRF_HASH[hex(children(option.content, TAG.oid)[0].content)];
    }
    if (!hash) throw new KeyFileError("Unsupported key encryption: PBKDF2 with an unknown hash.");
    const iterations = count.content.reduce((n, b) => n * 256 + b, 0);
    if (!webcrypto || !webcrypto.subtle) {
      throw new KeyFileError("This browser cannot decrypt key files here (no WebCrypto: open the portal over https or on 127.0.0.1).");
    }
    const password = await webcrypto.subtle.importKey(
      "raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveBits"]);
    const key = new Uint8Array(await webcrypto.subtle.deriveBits(
      { name: "PBKDF2", salt: salt.content, iterations, hash }, password, 128));
    try {
      const plain = sm4.decrypt(hex(data.content), hex(key), { mode: "cbc", iv: hex(iv.content), output: "array" });
      return privateKeyInfo(Uint8Array.from(plain));
    } catch (error) {
      // A wrong key gives bad padding, or (rarely) good padding around garbage.
      if (error instanceof KeyFileError) throw error;
      throw new KeyFileError("Wrong passphrase, or the key file is damaged.");
    }
  }

  /** The SM2 key in a PEM key file: {d, publicKey} (hex). Throws KeyFileError with a message for people. */
  async function readPrivateKey(text, passphrase) {
    const block = pemBlock(text);
    if (block.encrypted && !passphrase) throw new KeyFileError("This key file is encrypted: enter its passphrase.");
    try {
      return block.encrypted ? await decrypt(block.der, passphrase) : privateKeyInfo(block.der);
    } catch (error) {
      if (error instanceof KeyFileError) throw error;
      throw new KeyFileError("The key file is damaged: not a PKCS#8 SM2 private key.");
    }
  }

  /** SM2 signature of the UTF-8 message with the standard signer ID: DER (r, s) in hex. */
  function sign(key, message) {
    return sm2.doSignature(message, key.d, { hash: true, der: true, userId: SIGNER_ID, publicKey: key.publicKey });
  }

  return { readPrivateKey, sign, KeyFileError };
});
