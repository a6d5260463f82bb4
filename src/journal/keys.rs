//! A steward's Ed25519 key pair on disk: the private key as PKCS#8 v1 PEM (`FILE`, mode 0600; RFC
//! 8410 without the optional public key) and the public key as SubjectPublicKeyInfo PEM
//! (`FILE.pub`), the formats OpenSSL and Python's `cryptography` read as they are. Reading also
//! takes PKCS#8 v2 (with the public key), which mergeq wrote before. Journal entries carry the
//! public key as 64 hex characters.

use super::encoding::{hex, unhex};
use anyhow::{anyhow, bail, Context, Result};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where `keygen` wrote the pair, and the public key.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    pub private: PathBuf,
    pub public: PathBuf,
    pub verifying_key: VerifyingKey,
}

/// `FILE.pub` for `FILE`.
pub fn public_path(private: &Path) -> PathBuf {
    let mut p = private.as_os_str().to_owned();
    p.push(".pub");
    PathBuf::from(p)
}

/// Makes a new key pair from the operating system's random source; never overwrites a file.
pub fn keygen(out: &Path) -> Result<KeyFiles> {
    let public = public_path(out);
    for p in [out, public.as_path()] {
        if p.exists() {
            bail!("{} already exists; mergeq never overwrites a key (choose another --out)", p.display());
        }
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow!("reading the system's random source: {e}"))?;
    let key = SigningKey::from_bytes(&secret);
    secret.fill(0);
    // PKCS#8 v1: ed25519-dalek's own `to_pkcs8_pem` writes v2 (the public key embedded), which
    // OpenSSL 3.0 calls "unsupported" and Python's `cryptography` "extra data".
    let private_pem = KeypairBytes { secret_key: key.to_bytes(), public_key: None }
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding the private key: {e}"))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding the public key: {e}"))?;
    write_new(out, private_pem.as_bytes(), 0o600)?;
    if let Err(e) = write_new(&public, public_pem.as_bytes(), 0o644) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(KeyFiles { private: out.to_path_buf(), public, verifying_key: key.verifying_key() })
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads a private key written by `keygen` (PKCS#8 PEM, v1 or v2; a v2 key's embedded public key
/// must match its private key).
pub fn load_signing_key(path: &Path) -> Result<SigningKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the key {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                eprintln!("warning: {} is readable by other users; `chmod 600` it", path.display());
            }
        }
    }
    SigningKey::from_pkcs8_pem(&text)
        .map_err(|e| anyhow!("{} is not an Ed25519 private key in PKCS#8 PEM ({e})", path.display()))
}

/// Reads a public key: SubjectPublicKeyInfo PEM (`FILE.pub`) or 64 hex characters.
pub fn load_public_key(path: &Path) -> Result<VerifyingKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the key {}", path.display()))?;
    if let Ok(key) = VerifyingKey::from_public_key_pem(&text) {
        return Ok(key);
    }
    public_key_from_hex(text.trim()).ok_or_else(|| {
        anyhow!(
            "{} is not an Ed25519 public key (SubjectPublicKeyInfo PEM or 64 hex characters)",
            path.display()
        )
    })
}

/// A public key from the 64 hex characters journal entries carry.
pub fn public_key_from_hex(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = unhex(text)?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The 64 hex characters of a public key.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_writes_a_private_file_only_its_owner_reads_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ana.key");
        let files = keygen(&out).unwrap();
        let signing = load_signing_key(&out).unwrap();
        assert_eq!(signing.verifying_key(), files.verifying_key);
        assert_eq!(load_public_key(&files.public).unwrap(), files.verifying_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(std::fs::read_to_string(&out).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(std::fs::read_to_string(&files.public).unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(keygen(&out).is_err());
        let other = keygen(&dir.path().join("ben.key")).unwrap();
        assert_ne!(other.verifying_key, files.verifying_key);
        let hex = public_key_hex(&files.verifying_key);
        assert_eq!(public_key_from_hex(&hex), Some(files.verifying_key));
    }

    /// The DER inside a PEM file, and its label.
    fn pem_der(path: &Path) -> (String, Vec<u8>) {
        let text = std::fs::read_to_string(path).unwrap();
        let (label, doc) = ed25519_dalek::pkcs8::spki::der::Document::from_pem(&text).unwrap();
        (label.to_string(), doc.as_bytes().to_vec())
    }

    /// RFC 8410 v1: SEQUENCE { INTEGER 0, AlgorithmIdentifier { 1.3.101.112 }, OCTET STRING {
    /// OCTET STRING (32 bytes) } } and nothing after it, the exact 48 bytes OpenSSL writes.
    #[test]
    fn keygen_writes_pkcs8_v1_without_the_public_key() {
        let dir = tempfile::tempdir().unwrap();
        let files = keygen(&dir.path().join("ana.key")).unwrap();
        let (label, der) = pem_der(&files.private);
        assert_eq!(label, "PRIVATE KEY");
        let prefix =
            [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
        assert_eq!(der.len(), 48, "no [1] public key after the private key: {der:02x?}");
        assert_eq!(der[..16], prefix, "{der:02x?}");
        let secret: [u8; 32] = der[16..].try_into().unwrap();
        assert_eq!(SigningKey::from_bytes(&secret).verifying_key(), files.verifying_key);
        // The .pub file: SubjectPublicKeyInfo { AlgorithmIdentifier { 1.3.101.112 }, BIT STRING }.
        let (label, spki) = pem_der(&files.public);
        assert_eq!(label, "PUBLIC KEY");
        assert_eq!(spki[..12], [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
        assert_eq!(spki[12..], files.verifying_key.to_bytes());
    }

    /// Key files mergeq wrote before (PKCS#8 v2, the public key embedded) still sign; a v2 file
    /// whose embedded public key is not its private key's is refused.
    #[test]
    fn pkcs8_v2_key_files_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let v2 = dir.path().join("old.key");
        std::fs::write(&v2, key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
        assert_eq!(pem_der(&v2).1[4], 1, "ed25519-dalek writes v2");
        assert_eq!(load_signing_key(&v2).unwrap().verifying_key(), key.verifying_key());
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let mismatched = KeypairBytes {
            secret_key: key.to_bytes(),
            public_key: Some(ed25519_dalek::pkcs8::PublicKeyBytes(other.verifying_key().to_bytes())),
        };
        let bad = dir.path().join("bad.key");
        std::fs::write(&bad, mismatched.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
        assert!(load_signing_key(&bad).is_err());
    }
}
