#!/usr/bin/env python3
"""Check a mergeq journal without mergeq: every hash link and every sign-off signature.

Usage: python3 verify_journal.py WORKSPACE.mergeq [--pubkey STEWARD.key.pub]...
       python3 verify_journal.py AUDIT.csv [--pubkey ...]   (from `mergeq export audit-csv --raw`)
Needs Python 3.8+ and the `cryptography` package. Exit 0 when all holds, 1 naming the first bad entry.

Each entry's hash is sha256(prev_hash + "\\n" + canonical) in lowercase hex, where canonical is the
JSON of {seq, at, steward, action, candidate, body} with sorted keys, no whitespace, UTF-8 as is;
the first prev_hash is 64 zeros. A sign-off signs the 32 bytes of its own hash with Ed25519.
"""
import csv, hashlib, json, sqlite3, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

COLUMNS = "seq, at, steward, action, candidate, body, prev_hash, hash, signature, public_key"

def entries(path):
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                yield (int(r["seq"]), r["at"], r["steward"], r["action"], int(r["candidate"]) if r["candidate"] else None,
                       r["body"], r["prev_hash"], r["hash"], r["signature"] or None, r["public_key"] or None)
    else:
        yield from sqlite3.connect(path).execute(f"SELECT {COLUMNS} FROM journal ORDER BY seq")

def fail(seq, why):
    print(f"journal BROKEN: entry {seq}: {why}")
    sys.exit(1)

def main(args):
    # Every --pubkey given (one per steward, or a steward's old and new key): each sign-off
    # must be signed by one of them.
    path, wanted = args[0], set()
    for i, arg in enumerate(args):
        if arg == "--pubkey":
            text = open(args[i + 1], "rb").read()
            wanted.add(load_pem_public_key(text).public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
                       if text.startswith(b"-----") else text.decode().strip().lower())
    prev, n, signoffs = "0" * 64, 0, 0
    for seq, at, steward, action, candidate, body, prev_hash, hash_, signature, public_key in entries(path):
        n += 1
        if seq != n:
            fail(n, f"missing (the next entry is {seq})")
        if prev_hash != prev:
            fail(seq, "does not link to the entry before it")
        entry = {"seq": seq, "at": at, "steward": steward, "action": action, "candidate": candidate, "body": json.loads(body)}
        canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if hashlib.sha256((prev_hash + "\n" + canonical).encode("utf-8")).hexdigest() != hash_:
            fail(seq, "its content does not match its hash")
        if action == "signoff":
            if entry["body"].get("public_key") != public_key or (wanted and public_key not in wanted):
                fail(seq, "signed by another key")
            print(f"sign-off at entry {seq} by {steward}, key {public_key[:12]}…")
            try:
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), bytes.fromhex(hash_))
            except Exception:
                fail(seq, "the signature does not verify")
            signoffs += 1
        elif signature or public_key:
            fail(seq, "carries a signature but is not a sign-off")
        prev = hash_
    print(f"journal ok: {n} entries, head {prev}, {signoffs} sign-offs verified")

if __name__ == "__main__":
    main(sys.argv[1:])
