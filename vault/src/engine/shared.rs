//! One vault engine per process, shared by the window and the sync node.
//!
//! A [`Shared`] holds the process's one open [`Vault`] behind a lock. Whoever
//! writes through it (a click in the window, a change a peer sent) publishes
//! the documents it changed to every subscriber when the lock is released:
//! the sync node pushes them to peers at once, the window redraws. Nothing
//! in the process polls the file for what the process itself wrote; only
//! writes by *another* process (a command in a terminal) are found by
//! [`Vault::refresh`], which publishes them the same way.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::vault::Vault;

type Listener = Box<dyn Fn(&[String]) + Send + Sync>;

struct Inner {
    vault: Mutex<Vault>,
    listeners: Mutex<Vec<Listener>>,
}

/// A handle on the process's vault engine; clones share it.
#[derive(Clone)]
pub struct Shared {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl Shared {
    /// Shares `vault` in this process.
    pub fn new(vault: Vault) -> Self {
        Self {
            inner: Arc::new(Inner {
                vault: Mutex::new(vault),
                listeners: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The vault, for reading and writing; changes are published when the
    /// guard is dropped.
    pub fn lock(&self) -> Guard<'_> {
        Guard {
            vault: self.inner.vault.lock().unwrap_or_else(|p| p.into_inner()),
            inner: &self.inner,
        }
    }

    /// The vault if no one else holds it now (a window frame does not wait
    /// for a long import; it draws what it has and looks again).
    pub fn try_lock(&self) -> Option<Guard<'_>> {
        let vault = match self.inner.vault.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(Guard {
            vault,
            inner: &self.inner,
        })
    }

    /// Runs `f` on the vault and publishes what it changed.
    pub fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> R {
        f(&mut self.lock())
    }

    /// Calls `f` with the ids of the documents changed, after every write
    /// through any handle of this engine. `f` runs while the vault is still
    /// locked by the writer: it must hand the news on (a channel, a flag, a
    /// repaint request), never lock the vault itself.
    pub fn subscribe(&self, f: impl Fn(&[String]) + Send + Sync + 'static) {
        self.inner
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Box::new(f));
    }
}

/// The locked vault; publishes the documents changed when dropped.
pub struct Guard<'a> {
    vault: MutexGuard<'a, Vault>,
    inner: &'a Inner,
}

impl Deref for Guard<'_> {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        &self.vault
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Vault {
        &mut self.vault
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let changed = self.vault.take_changed();
        if changed.is_empty() {
            return;
        }
        let listeners = self.inner.listeners.lock().unwrap_or_else(|p| p.into_inner());
        for f in listeners.iter() {
            f(&changed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inwonercloud_schemas::{LifeDomain, Role};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_write_through_one_handle_reaches_every_subscriber_once() {
        let tmp = tempfile::tempdir().unwrap();
        let v = crate::testing::vault(tmp.path(), "Anna", Role::Citizen);
        let shared = Shared::new(v);
        // Creating the vault changed documents: nobody was listening yet.
        drop(shared.lock());
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let calls = Arc::new(AtomicUsize::new(0));
        let (s, c) = (seen.clone(), calls.clone());
        shared.subscribe(move |docs| {
            s.lock().unwrap().extend(docs.iter().cloned());
            c.fetch_add(1, Ordering::SeqCst);
        });
        let window = shared.clone();
        let plan = window.with(|v| v.plan_doc());
        assert_eq!(calls.load(Ordering::SeqCst), 0, "reading publishes nothing");
        window.with(|v| v.add_goal(&plan, LifeDomain::Wonen, "Zelfstandig wonen", None).unwrap());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(*seen.lock().unwrap(), vec![plan.clone()]);
        // A failed write publishes nothing.
        assert!(
            window
                .with(|v| v.add_goal("geen/document", LifeDomain::Wonen, "x", None))
                .is_err()
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // While one holds it, try_lock does not wait.
        let held = shared.lock();
        assert!(window.try_lock().is_none());
        drop(held);
        assert!(window.try_lock().is_some());
    }

    /// An action that wrote and then failed, or panicked, announces
    /// nothing: no peer is sent, no window shows, what the file never got.
    #[test]
    fn a_rolled_back_action_publishes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let v = crate::testing::vault(tmp.path(), "Anna", Role::Citizen);
        let shared = Shared::new(v);
        drop(shared.lock());
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let s = seen.clone();
        shared.subscribe(move |docs| s.lock().unwrap().extend(docs.iter().cloned()));
        let plan = shared.with(|v| v.plan_doc());
        let failed = shared.with(|v| {
            v.transact(|v| {
                v.add_goal(&plan, LifeDomain::Wonen, "half", None)?;
                Err::<(), _>(crate::VaultError::NotAllowed("changes its mind".into()))
            })
        });
        assert!(failed.is_err());
        assert!(seen.lock().unwrap().is_empty(), "a failed action was announced");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared.with(|v| {
                v.transact(|v| -> crate::Result<()> {
                    v.add_goal(&plan, LifeDomain::Wonen, "half", None)?;
                    panic!("a bug half-way")
                })
            })
        }));
        assert!(panicked.is_err());
        assert!(seen.lock().unwrap().is_empty(), "a panicked action was announced");
        // The engine goes on: the next action is announced once.
        shared.with(|v| v.add_goal(&plan, LifeDomain::Wonen, "heel", None).unwrap());
        assert_eq!(*seen.lock().unwrap(), vec![plan.clone()]);
        assert_eq!(shared.with(|v| v.plan(&plan).unwrap().goals.len()), 1);
    }
}
