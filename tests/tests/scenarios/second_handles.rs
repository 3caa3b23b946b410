//! Adversarial review of "second handles judge by the file" (90d9afa): the
//! app and the `serve` node are two handles of one vault file, each holding
//! headers in memory. What one handle stores must not be undone, nor
//! silently lost, by the other handle acting on its stale memory.
//!
//! The tests marked HOLE failed when they were written (before the fixes
//! that followed the review); the others held already.

use inwonercloud_schemas::{Goal, GoalStatus, LifeDomain, Role};
use inwonercloud_tests::{another_device, goal_texts, pass, plan_with_writer, revoking_header, vault};
use inwonercloud_vault::Vault;

/// `n` goals written by `v` into `plan`, one change each, in one transaction.
fn goals(v: &mut Vault, plan: &str, prefix: &str, n: usize) {
    let records = (0..n)
        .map(|i| {
            let id = format!("{prefix}-{i}");
            let g = Goal {
                id: id.clone(),
                domain: LifeDomain::Wonen,
                text: format!("{prefix} {i}"),
                target_date: None,
                status: GoalStatus::Actief,
                member: None,
            };
            (id, g)
        })
        .collect();
    v.put_records(plan, records).unwrap();
}

fn late(texts: &[String]) -> bool {
    texts.iter().any(|t| t.starts_with("laat"))
}

/// HOLE: `commit_local` (every record write outside an action: `add_goal`,
/// `put_record`, … — what the app does on each edit) writes a snapshot and
/// a record cache when one is due, without `Txn::behind`. The app caught up
/// with late changes of Mallory (under the old header) before the node
/// stored a revoking header whose cut-off lies below them (which dropped
/// the snapshot). The app's next edit, before its next refresh, snapshots
/// its memory: the snapshot stands for the late rows on every later open.
#[test]
fn an_edit_in_a_handle_behind_the_file_does_not_snapshot_a_revoked_writers_late_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut node, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let mut app = Vault::open_with_key(node.dir(), &node.key()).unwrap();
    // Mallory's late changes reach the node before the revocation does
    // (enough that a snapshot is due at the app's next edit).
    goals(&mut mallory, &plan, "laat", 300);
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    app.refresh().unwrap();
    assert!(late(&goal_texts(&app, &plan)), "the app caught up");
    // Anna's laptop, which held only "een", revoked Mallory; the node takes it.
    let signed = revoking_header(&node, &plan, &mallory, 1);
    node.import_changes(&signed, &[], &[], "laptop").unwrap();
    assert!(!late(&goal_texts(&node, &plan)), "the node judged again");
    // The app edits the plan before its next refresh.
    app.add_goal(&plan, LifeDomain::Wonen, "van de app", None).unwrap();
    let dir = node.dir().to_path_buf();
    drop(app);
    drop(node);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let texts = goal_texts(&anna, &plan);
    assert!(
        texts.contains(&"een".to_string()) && texts.contains(&"van de app".to_string()),
        "{texts:?}"
    );
    assert!(
        !late(&texts),
        "a snapshot taken by a handle behind the file brings back rows beyond the cut-off: {} late goals",
        texts.iter().filter(|t| t.starts_with("laat")).count()
    );
}

/// HOLE (loss of valid rows): `commit_local` first applies the rows other
/// handles stored (`catch_up`) under the header *memory* holds. Rows of a
/// writer the file's newer header admits are then refused silently, yet
/// `doc.rows` moves past them; the next refresh swaps the header without
/// reading them again (the new header does not revoke differently), and
/// the next snapshot stands for rows it does not contain: the change is
/// gone from this vault for good (a peer offering it again is a duplicate).
#[test]
fn an_edit_in_a_handle_behind_the_file_does_not_lose_a_new_writers_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut node, _mallory, plan) = plan_with_writer(tmp.path());
    let mut app = Vault::open_with_key(node.dir(), &node.key()).unwrap();
    let mut ben = vault(&tmp.path().join("ben"), "Ben", Role::Counselor);
    // The node grants Ben (a write consent, one action) and takes his goal.
    node.add_writer(&plan, ben.identity(), Role::Counselor).unwrap();
    ben.import_bundle(&node.bundle(&plan).unwrap(), "anna").unwrap();
    ben.add_goal(&plan, LifeDomain::Wonen, "van Ben", None).unwrap();
    node.import_bundle(&ben.bundle(&plan).unwrap(), "ben").unwrap();
    assert!(goal_texts(&node, &plan).contains(&"van Ben".to_string()));
    // The app edits before its next refresh, then refreshes and compacts.
    app.add_goal(&plan, LifeDomain::Wonen, "van de app", None).unwrap();
    app.refresh().unwrap();
    let in_app = goal_texts(&app, &plan);
    app.compact().unwrap();
    let dir = node.dir().to_path_buf();
    drop(app);
    drop(node);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let reopened = goal_texts(&anna, &plan);
    let ben_goal = "van Ben".to_string();
    assert!(
        in_app.contains(&ben_goal) && reopened.contains(&ben_goal),
        "Ben's goal in the caught-up app: {in_app:?}; after the app's snapshot and a reopen: {reopened:?}"
    );
}

/// HOLE (public API): `add_writer` outside an action signs a header built
/// from this handle's stale memory and stores it over the file's newer one
/// (`store_header` neither catches up nor checks `behind`). A revocation
/// the node stored is then undone: Mallory is a writer again, with no
/// cut-off. (In the shipped flows `add_writer` runs inside `grant_consent`
/// or `expire_consents`, which are actions and catch up first.)
#[test]
fn a_grant_from_a_handle_behind_the_file_keeps_the_revocation_the_other_handle_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut node, mallory, plan) = plan_with_writer(tmp.path());
    let mut app = Vault::open_with_key(node.dir(), &node.key()).unwrap();
    let ben = vault(&tmp.path().join("ben"), "Ben", Role::Counselor);
    node.remove_writer(&plan, mallory.identity()).unwrap();
    app.add_writer(&plan, ben.identity(), Role::Counselor).unwrap();
    let dir = node.dir().to_path_buf();
    drop(app);
    drop(node);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let h = anna.header(&plan).unwrap();
    assert!(h.writers.contains(&ben.identity()), "{h:?}");
    assert!(
        !h.may_write(&mallory.identity()) && h.revoked.iter().any(|r| r.identity == mallory.identity()),
        "the revocation the node stored stays: writers {:?}, revoked {:?}",
        h.writers,
        h.revoked
    );
}

/// Holds: a device the app revoked (`revoke_device`, one action) writes
/// on; the node, which has not refreshed, is offered its late change. The
/// import catches up first and judges under the revoking header.
#[test]
fn a_device_revoked_by_the_app_adds_nothing_through_the_node() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let plan = app.plan_doc();
    app.add_goal(&plan, LifeDomain::Wonen, "doel", None).unwrap();
    let mut phone = another_device(&mut app, &tmp.path().join("phone"), "phone");
    phone.import_bundle(&app.bundle(&plan).unwrap(), "anna").unwrap();
    phone.add_goal(&plan, LifeDomain::Wonen, "vroeg", None).unwrap();
    app.import_bundle(&phone.bundle(&plan).unwrap(), "phone").unwrap();
    let mut node = Vault::open_with_key(app.dir(), &app.key()).unwrap();
    app.revoke_device(phone.device_key().public()).unwrap();
    goals(&mut phone, &plan, "laat", 20);
    let r = node.import_bundle(&phone.bundle(&plan).unwrap(), "phone");
    assert!(r.is_err(), "{r:?}");
    assert!(!late(&goal_texts(&node, &plan)));
    node.compact_due().unwrap();
    app.add_goal(&plan, LifeDomain::Wonen, "na", None).unwrap();
    let dir = app.dir().to_path_buf();
    drop(node);
    drop(app);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let texts = goal_texts(&anna, &plan);
    assert!(texts.contains(&"vroeg".to_string()) && !late(&texts), "{texts:?}");
}

/// Holds: the node snapshotted late changes; the app stores a revoking
/// header (it drops the snapshot) and the node, behind, runs an action
/// (it catches up first: judged again from the file) and compacts.
#[test]
fn an_action_in_a_handle_behind_the_file_catches_up_before_it_snapshots() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut app, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    app.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let mut node = Vault::open_with_key(app.dir(), &app.key()).unwrap();
    goals(&mut mallory, &plan, "laat", 300);
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    app.refresh().unwrap();
    let signed = revoking_header(&app, &plan, &mallory, 1);
    app.import_changes(&signed, &[], &[], "laptop").unwrap();
    node.expire_consents().unwrap();
    assert!(!late(&goal_texts(&node, &plan)));
    node.compact().unwrap();
    let dir = app.dir().to_path_buf();
    drop(node);
    drop(app);
    let anna = Vault::open(&dir, &pass()).unwrap();
    assert!(!late(&goal_texts(&anna, &plan)));
}

/// Swaps the sealed bytes of two change rows of `doc` in the file (a read
/// of either then fails its seal, as a damaged page or an I/O error fails a
/// read), without bumping the write generation.
fn swap_rows(dir: &std::path::Path, doc: &str, a: u64, b: u64) {
    use redb::ReadableTable;
    let mut builder = redb::Builder::new();
    builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    let db = builder.open(dir.join(inwonercloud_vault::DB_FILE)).unwrap();
    let w = db.begin_write().unwrap();
    {
        let mut t = w.open_table(inwonercloud_vault::store::CHANGES).unwrap();
        let va = t.get((doc, a)).unwrap().unwrap().value().to_vec();
        let vb = t.get((doc, b)).unwrap().unwrap().value().to_vec();
        t.insert((doc, a), vb.as_slice()).unwrap();
        t.insert((doc, b), va.as_slice()).unwrap();
    }
    w.commit().unwrap();
}

/// HOLE (an error mid-way leaves memory ahead of the file): a refresh that
/// meets a header revoking differently sets `doc.header` to it *before*
/// `reload` re-judges the rows. When that reload fails (a read error), the
/// refresh returns the error with the new header already in memory over
/// rows applied under the old one. The next refresh finds the header equal
/// to memory's, so it judges nothing again, marks the generation seen, and
/// `behind` says false: the next snapshot stands for the late rows.
#[test]
fn a_refresh_that_fails_while_judging_again_does_not_leave_the_new_header_over_old_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut node, mut mallory, plan) = plan_with_writer(tmp.path());
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let mut app = Vault::open_with_key(node.dir(), &node.key()).unwrap();
    goals(&mut mallory, &plan, "laat", 20);
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    app.refresh().unwrap();
    assert!(late(&goal_texts(&app, &plan)));
    let signed = revoking_header(&node, &plan, &mallory, 1);
    node.import_changes(&signed, &[], &[], "laptop").unwrap();
    let dir = node.dir().to_path_buf();
    // One failing read while the app catches up, then the file is whole again.
    swap_rows(&dir, &plan, 1, 2);
    assert!(app.refresh().is_err(), "the damaged read fails the refresh");
    swap_rows(&dir, &plan, 1, 2);
    app.refresh().unwrap();
    let in_app = goal_texts(&app, &plan);
    app.compact().unwrap();
    drop(app);
    drop(node);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let reopened = goal_texts(&anna, &plan);
    assert!(
        !late(&in_app) && !late(&reopened),
        "late goals in the caught-up app: {}; after its snapshot and a reopen: {}",
        in_app.iter().filter(|t| t.starts_with("laat")).count(),
        reopened.iter().filter(|t| t.starts_with("laat")).count()
    );
}

/// HOLE (public API, same class as the grant above): `open_agreement_doc`
/// outside an action, in a handle that has not caught up with a document
/// the other handle made, makes it again: `create_document_with` writes a
/// fresh version-1 header over the file's (no catch-up, no `behind`),
/// dropping the revocation the other handle stored.
#[test]
fn a_document_the_other_handle_made_is_not_made_again_over_its_header() {
    let tmp = tempfile::tempdir().unwrap();
    let mut node = vault(&tmp.path().join("anna"), "Anna", Role::Citizen);
    let mut app = Vault::open_with_key(node.dir(), &node.key()).unwrap();
    let provider = vault(&tmp.path().join("zorg"), "Zorg BV", Role::Provider);
    let doc = node.open_agreement_doc(provider.identity()).unwrap();
    node.remove_writer(&doc, provider.identity()).unwrap();
    assert_eq!(app.open_agreement_doc(provider.identity()).unwrap(), doc);
    let dir = node.dir().to_path_buf();
    drop(app);
    drop(node);
    let anna = Vault::open(&dir, &pass()).unwrap();
    let h = anna.header(&doc).unwrap();
    assert!(
        !h.may_write(&provider.identity()),
        "the provider's removal stays: version {}, writers {:?}, revoked {:?}",
        h.version,
        h.writers,
        h.revoked
    );
}

/// The file's write generation: how many writes committed (each one commit,
/// one flush to disk).
fn commits(dir: &std::path::Path) -> u64 {
    use redb::ReadableDatabase;
    let mut builder = redb::Builder::new();
    builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    let db = builder.open(dir.join(inwonercloud_vault::DB_FILE)).unwrap();
    let r = db.begin_read().unwrap();
    let t = r.open_table(inwonercloud_vault::store::GENERATION).unwrap();
    t.get("g").unwrap().map(|g| g.value()).unwrap_or(0)
}

/// Holds (cost): an import that finds the other handle wrote since it
/// judged stores nothing and commits nothing for that attempt; an import
/// with nothing to store commits nothing; a batch is one commit (plus the
/// snapshot of a document that came in); `remove_writer` as an action is
/// still one commit.
#[test]
fn judging_by_the_file_adds_no_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut node, mut mallory, plan) = plan_with_writer(tmp.path());
    let dir = node.dir().to_path_buf();
    let mut app = Vault::open_with_key(&dir, &node.key()).unwrap();
    let header = node.bundle(&plan).unwrap().header;
    let before = commits(&dir);
    node.import_changes(&header, &[], &[], "anna").unwrap();
    assert_eq!(commits(&dir), before, "nothing to store: no commit");
    // The app wrote: the node's import catches up first, then commits once.
    app.add_goal(&plan, LifeDomain::Wonen, "van de app", None).unwrap();
    mallory.add_goal(&plan, LifeDomain::Wonen, "een", None).unwrap();
    let before = commits(&dir);
    node.import_bundle(&mallory.bundle(&plan).unwrap(), "mallory").unwrap();
    let import = commits(&dir) - before;
    assert!(
        import <= 2,
        "one commit for the batch, at most one for its snapshot: {import}"
    );
    let before = commits(&dir);
    node.remove_writer(&plan, mallory.identity()).unwrap();
    assert_eq!(commits(&dir) - before, 1, "remove_writer: one action, one commit");
}
