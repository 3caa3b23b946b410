//! A node's side of the postbus: give the owner's roster, collect mail,
//! leave mail. One *round* visits every postbus this vault has reason to use:
//! its owner's own, and the postbus of each owner whose documents it holds.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use inwonercloud_schemas::{PostbusRoster, PublicKey, Signed};
use inwonercloud_vault::VaultError;
use inwonercloud_vault::mail::PostbusAddr;
use iroh::endpoint::Connection;
use iroh::{EndpointAddr, RelayUrl};

use super::wire::{self, ALPN, Code, Request, Response};
use crate::node::{Node, NodeError};

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoundReport {
    /// Postbusses reached.
    pub reached: usize,
    /// Envelopes collected and taken in.
    pub received: usize,
    /// Changes those envelopes added.
    pub changes_received: usize,
    /// Envelopes collected but refused (logged in the vault's rejections).
    pub refused: usize,
    /// Envelopes left.
    pub deposited: usize,
    /// Changes in the envelopes left.
    pub changes_deposited: usize,
    /// What failed, one line per postbus or step, for a person.
    pub problems: Vec<String>,
}

/// Errors talking to a postbus.
#[derive(Debug, thiserror::Error)]
pub enum PostbusClientError {
    /// Dialing failed.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The connection broke.
    #[error("the connection to the postbus broke: {0}")]
    Lost(String),
    /// The answer was not a postbus message.
    #[error("the postbus answered something unreadable: {0}")]
    Malformed(String),
    /// The postbus refused.
    #[error("the postbus refused: {message}")]
    Refused {
        /// Its code.
        code: u32,
        /// Its words.
        message: String,
    },
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Most bytes of mail asked for at once.
const FETCH_BATCH: u64 = 4 * 1024 * 1024;
/// Most batches collected from one postbus in one round.
const MAX_BATCHES: usize = 64;

/// The endpoint address of a postbus (unusable relay URLs are skipped).
pub fn postbus_endpoint(p: &PostbusAddr) -> Result<EndpointAddr, NodeError> {
    let id = iroh::PublicKey::from_bytes(p.endpoint.as_bytes())
        .map_err(|e| NodeError::Address(format!("the postbus's endpoint id is unusable: {e}")))?;
    let mut addr = EndpointAddr::new(id);
    for a in &p.addrs {
        if let Ok(sa) = a.parse::<SocketAddr>() {
            addr = addr.with_ip_addr(sa);
        }
    }
    for r in &p.relays {
        if let Ok(url) = r.parse::<RelayUrl>() {
            addr = addr.with_relay_url(url);
        }
    }
    Ok(addr)
}

async fn ask(
    conn: &Connection,
    req: &Request,
    blob: Option<&[u8]>,
) -> Result<(Response, Vec<Vec<u8>>), PostbusClientError> {
    let blobs: Vec<&[u8]> = blob.into_iter().collect();
    let bytes = wire::encode(req, &blobs).map_err(|e| PostbusClientError::Malformed(e.to_string()))?;
    let (mut send, mut recv) = conn
        .open_bi()
        .await
        .map_err(|e| PostbusClientError::Lost(e.to_string()))?;
    send.write_all(&bytes)
        .await
        .map_err(|e| PostbusClientError::Lost(e.to_string()))?;
    send.finish().map_err(|e| PostbusClientError::Lost(e.to_string()))?;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), recv.read_to_end(wire::MAX_MESSAGE))
        .await
        .map_err(|_| PostbusClientError::Lost("no answer within 30 s".into()))?
        .map_err(|e| PostbusClientError::Lost(e.to_string()))?;
    let (resp, blobs) = wire::decode::<Response>(&answer).map_err(|e| PostbusClientError::Malformed(e.to_string()))?;
    if let Response::Error { code, message } = resp {
        return Err(PostbusClientError::Refused { code, message });
    }
    Ok((resp, blobs))
}

fn unexpected(r: &Response) -> PostbusClientError {
    PostbusClientError::Malformed(format!("an answer that does not fit the question: {r:?}"))
}

impl Node {
    /// Visits every postbus this vault uses: gives its owner's roster where
    /// it changed, takes in the mail waiting for this device, and leaves the
    /// changes this device made that a reader may not have yet. A postbus
    /// that cannot be reached is reported and tried again next round;
    /// nothing is lost (what was not left stays waiting in the vault).
    pub async fn postbus_round(&self) -> RoundReport {
        let mut report = RoundReport::default();
        let owners = self.with_vault(|v| v.mail_owners());
        let mut by_postbus: BTreeMap<PublicKey, (PostbusAddr, Vec<PublicKey>)> = BTreeMap::new();
        for (owner, addr) in owners {
            by_postbus
                .entry(addr.endpoint)
                .or_insert_with(|| (addr.clone(), vec![]))
                .1
                .push(owner);
        }
        for (pb, (addr, owners)) in by_postbus {
            let span = tracing::info_span!("postbus_round", postbus = %pb.short());
            let result = tracing::Instrument::instrument(self.visit(&addr, &owners, &mut report), span).await;
            match result {
                Ok(()) => report.reached += 1,
                Err(e) => report.problems.push(format!("postbus {}: {e}", pb.short())),
            }
        }
        report
    }

    async fn visit(
        &self,
        addr: &PostbusAddr,
        owners: &[PublicKey],
        report: &mut RoundReport,
    ) -> Result<(), PostbusClientError> {
        let conn = self.dial_alpn(postbus_endpoint(addr)?, ALPN).await?;
        let pb = addr.endpoint;
        let me = self.with_vault(|v| v.identity());

        // 1. The owner's roster, where it changed since it was last given.
        let mut own_roster: Option<Signed<PostbusRoster>> = None;
        if owners.contains(&me) {
            let roster = self.with_vault(|v| v.postbus_roster(&pb))?;
            if self.with_vault(|v| v.roster_changed(&pb, &roster.record)) {
                match ask(
                    &conn,
                    &Request::Register {
                        roster: Box::new(roster.clone()),
                    },
                    None,
                )
                .await?
                {
                    (Response::Registered { dropped_deliveries }, _) => {
                        tracing::info!(dropped_deliveries, "roster given");
                        self.with_vault(|v| v.roster_given(&pb, &roster.record))?;
                    }
                    (r, _) => return Err(unexpected(&r)),
                }
            }
            own_roster = Some(roster);
        }

        // 2. Collect — a bounded number of batches, so a postbus that
        // always says "more" cannot keep a round from ending.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_BATCHES {
            let (resp, blobs) = ask(&conn, &Request::Fetch { max_bytes: FETCH_BATCH }, None).await?;
            let Response::Mail { items, more } = resp else {
                return Err(unexpected(&resp));
            };
            if items.len() != blobs.len() {
                return Err(PostbusClientError::Malformed(
                    "as many envelopes as items were promised".into(),
                ));
            }
            if items.is_empty() {
                break;
            }
            if items.iter().all(|i| !seen.insert(i.id)) {
                break;
            }
            let mut done = vec![];
            for (item, blob) in items.iter().zip(&blobs) {
                if !owners.contains(&item.owner) {
                    // Mail for an owner this vault does not use this
                    // postbus for (a stranger who put our device on a
                    // roster): not opened, not kept there either.
                    report.refused += 1;
                    done.push(item.id);
                    continue;
                }
                let from = format!("postbus {} (left by {})", pb.short(), item.from.short());
                match self.with_vault(|v| v.receive_mail(blob, &from)) {
                    Ok(r) => {
                        report.received += 1;
                        report.changes_received += r.applied;
                        done.push(item.id);
                    }
                    // A local failure: keep it at the postbus for next time.
                    Err(e @ (VaultError::Storage(_) | VaultError::Database(_))) => return Err(e.into()),
                    Err(e) => {
                        // Refused (logged with its rule) or not for us: asking
                        // again would give the same answer.
                        tracing::warn!(error = %e, "mail refused");
                        report.refused += 1;
                        done.push(item.id);
                    }
                }
            }
            match ask(&conn, &Request::Ack { ids: done }, None).await? {
                (Response::Acked { .. }, _) => {}
                (r, _) => return Err(unexpected(&r)),
            }
            if !more {
                break;
            }
        }

        // 3. Leave what this device wrote, per owner, sealed to the readers
        // the owner's roster names.
        for owner in owners {
            let roster = if *owner == me {
                own_roster.clone()
            } else {
                match ask(&conn, &Request::Roster { owner: *owner }, None).await? {
                    (Response::Roster { roster }, _) => roster.map(|r| *r),
                    (r, _) => return Err(unexpected(&r)),
                }
            };
            let Some(roster) = roster else {
                // The owner has not given this postbus a roster naming us.
                continue;
            };
            self.with_vault(|v| v.check_roster(&roster, owner, &pb))?;
            let docs: Vec<String> = self.with_vault(|v| {
                v.document_ids()
                    .into_iter()
                    .filter(|d| v.header(d).map(|h| &h.owner == owner).unwrap_or(false))
                    .collect()
            });
            'docs: for doc in docs {
                loop {
                    let Some(out) = self.with_vault(|v| v.outgoing_mail(&doc, &pb, &roster.record))? else {
                        break;
                    };
                    let req = Request::Deposit {
                        owner: *owner,
                        recipients: out.recipients.clone(),
                    };
                    match ask(&conn, &req, Some(&out.blob)).await {
                        Ok((Response::Deposited { .. }, _)) => {
                            self.with_vault(|v| v.note_mail_sent(&pb, &doc, out.upto))?;
                            report.deposited += 1;
                            report.changes_deposited += out.changes;
                        }
                        Ok((r, _)) => return Err(unexpected(&r)),
                        Err(PostbusClientError::Refused { code, message })
                            if code == Code::Unauthorized as u32 && *owner == me =>
                        {
                            // The postbus lost (or never took) our roster:
                            // give it again next round. If it holds one, it
                            // may be newer than ours (another device of ours
                            // revoked someone we have not heard of): never
                            // overwrite it from here.
                            if let (Response::Roster { roster: None }, _) =
                                ask(&conn, &Request::Roster { owner: me }, None).await?
                            {
                                self.with_vault(|v| v.roster_lost(&pb))?;
                            }
                            report.problems.push(format!("postbus {}: {message}", pb.short()));
                            break 'docs;
                        }
                        Err(PostbusClientError::Refused { code, message }) if code == Code::Full as u32 => {
                            // The owner's space is used up: the changes stay
                            // here and go by sync, or next round.
                            report.problems.push(format!("postbus {}: {message}", pb.short()));
                            break 'docs;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        conn.close(0u32.into(), b"done");
        Ok(())
    }
}

impl Node {
    /// Runs a [`Node::postbus_round`] now, after every local change (a
    /// second's quiet first) and every `every`, until the node shuts down.
    /// Each round's outcome is kept for [`Node::last_postbus_round`].
    pub fn keep_postbus_rounds(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let node = self.clone();
        tokio::spawn(async move {
            let mut changes = node.subscribe();
            loop {
                if node.is_closed() {
                    return;
                }
                let report = node.postbus_round().await;
                if report != RoundReport::default() {
                    tracing::info!(
                        received = report.received,
                        deposited = report.deposited,
                        refused = report.refused,
                        problems = ?report.problems,
                        "postbus round"
                    );
                }
                node.note_postbus_round(report);
                tokio::select! {
                    r = changes.recv() => {
                        if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                            tokio::time::sleep(every).await;
                        }
                        // Let a burst of edits settle into one round.
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        while changes.try_recv().is_ok() {}
                    }
                    _ = tokio::time::sleep(every) => {}
                }
            }
        })
    }
}
