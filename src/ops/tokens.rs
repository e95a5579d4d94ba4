//! The scoring service's access tokens: create (the secret is shown once; only its sha256 is
//! kept), list, revoke, and the check a request's bearer token goes through.

use super::{OpsError, Result};
use crate::store::tokens::TokenInfo;
use crate::store::Store;
use sha2::{Digest, Sha256};

/// What a token may do. Each scope includes the ones before it: `read` (firms, scores of
/// stored firms, the queue, the models), `score` (also scoring posted firms), `store` (also
/// storing a posted firm and its statements: `"store": true`), `decide` (also decisions,
/// recorded under the token's name as the analyst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Score,
    Store,
    Decide,
}

crate::model::choices::named!(
    Scope,
    "a scope",
    [
        (Scope::Read, "read"),
        (Scope::Score, "score"),
        (Scope::Store, "store"),
        (Scope::Decide, "decide"),
    ]
);

/// A created token: its name, scope and the secret (shown once, never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub name: String,
    pub scope: Scope,
    pub secret: String,
}

/// The hex sha256 of a secret, as the store keeps it.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hex of bytes (checked on every request: no string is formatted per byte).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| OpsError::Io(format!("no random source for a token: {e}")))?;
    Ok(format!("precre_{}", hex(&bytes)))
}

/// Creates a token; the name must be new (names are what the log and decisions record).
pub fn create(store: &mut Store, name: &str, scope: Scope) -> Result<Created> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
        return Err(OpsError::Usage(
            "a token's name is 1 to 64 printable characters".into(),
        ));
    }
    let secret = random_secret()?;
    store.insert_token(name, scope.name(), &hash(&secret))?;
    Ok(Created {
        name: name.to_string(),
        scope,
        secret,
    })
}

pub fn list(store: &Store) -> Result<Vec<TokenInfo>> {
    Ok(store.tokens()?)
}

pub fn revoke(store: &mut Store, name: &str) -> Result<()> {
    Ok(store.revoke_token(name)?)
}

/// The (name, scope) of the live token with this secret, if any.
pub fn check(store: &Store, secret: &str) -> Result<Option<(String, Scope)>> {
    Ok(store
        .token_by_hash(&hash(secret))?
        .and_then(|(name, scope)| scope.parse().ok().map(|s| (name, s))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_secret_is_kept_as_its_sha256_in_hex() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            super::hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let secret = super::random_secret().unwrap();
        assert_eq!(secret.len(), "precre_".len() + 48);
        assert!(secret["precre_".len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
