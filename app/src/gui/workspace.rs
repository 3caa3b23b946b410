//! An open vault in the window: the vault handle, the screen shown, whose
//! documents are looked at, the views read from the vault, and the network.
//!
//! The window and the network thread share one vault engine
//! ([`inwonercloud_vault::Shared`]): what either writes, the other hears of
//! at once through the engine's change event, without reading the file.
//! Views are read once and kept ([`Views`]); they are read again only after
//! such an event (or, with the network off, when another process wrote the
//! file). Frames never recompute the ledger, and a frame never waits for a
//! long import: it draws what it has and reads again on the next one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use inwonercloud_schemas::{Catalogue, DocKind, JournalNote, Lang, Policy, PublicKey, Role};
use inwonercloud_sync::NodeConfig;
use inwonercloud_vault::claims::check_all;
use inwonercloud_vault::replica::Rejection;
use inwonercloud_vault::{
    AccessLine, AgreementView, Authored, BudgetView, ClaimReport, ConsentView, HistoryEntry, Holder, Invite,
    OfferingView, Passphrase, PeerInfo, PlanView, PotDashboard, RequestView, Shared, TransferView, Vault, VaultError,
    VaultKey, WhoAmI,
};

use super::forms::Forms;
use super::i18n::Texts;
use super::network::{NetCmd, NetEvent, Network};

/// The screens, in menu order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// People who share with me (counselor, family, provider, municipality).
    Clients,
    /// Figures, charts, forecast and alerts.
    Overview,
    /// The support plan.
    Plan,
    /// Accounts and the ledger.
    Budget,
    /// Consents, invites, peers and the access log.
    Sharing,
    /// This device and adding another.
    Devices,
    /// Private notes.
    Journal,
    /// The municipality's requests waiting for a decision, and its rules.
    Inbox,
    /// Offerings of known providers (citizen).
    Market,
    /// Declarations to approve or dispute (citizen).
    Declarations,
    /// One's own offerings (provider).
    Catalogue,
    /// Agreements to sign and declare under (provider, informal carer).
    Agreements,
    /// Claim verification (municipality).
    Verification,
    /// Mandates: the holder gives and revokes them; a representative acts for whom she holds one.
    Mandates,
    /// Wijkbudget: the neighbourhood pot's dashboard and forms (municipality, provider).
    Pot,
}

impl Screen {
    /// The screens a role works with.
    pub fn for_role(role: Role) -> &'static [Screen] {
        match role {
            Role::Citizen => &[
                Screen::Overview,
                Screen::Plan,
                Screen::Budget,
                Screen::Market,
                Screen::Declarations,
                Screen::Sharing,
                Screen::Mandates,
                Screen::Devices,
                Screen::Journal,
            ],
            Role::Municipality => &[
                Screen::Inbox,
                Screen::Verification,
                Screen::Pot,
                Screen::Clients,
                Screen::Overview,
                Screen::Plan,
                Screen::Budget,
                Screen::Sharing,
                Screen::Devices,
            ],
            Role::Counselor => &[
                Screen::Clients,
                Screen::Overview,
                Screen::Plan,
                Screen::Budget,
                Screen::Mandates,
                Screen::Sharing,
                Screen::Devices,
            ],
            // An informal carer also signs and declares hours under agreements.
            Role::Family => &[
                Screen::Clients,
                Screen::Overview,
                Screen::Plan,
                Screen::Budget,
                Screen::Agreements,
                Screen::Mandates,
                Screen::Sharing,
                Screen::Devices,
            ],
            Role::Provider => &[
                Screen::Agreements,
                Screen::Catalogue,
                Screen::Pot,
                Screen::Clients,
                Screen::Sharing,
                Screen::Devices,
            ],
        }
    }

    /// The screen's name in the menu.
    pub fn title(self, t: &Texts) -> &'static str {
        match self {
            Screen::Clients => t.nav_clients,
            Screen::Overview => t.nav_overview,
            Screen::Plan => t.nav_plan,
            Screen::Budget => t.nav_budget,
            Screen::Sharing => t.nav_sharing,
            Screen::Devices => t.nav_devices,
            Screen::Journal => t.nav_journal,
            Screen::Inbox => t.nav_inbox,
            Screen::Market => t.nav_market,
            Screen::Declarations => t.nav_declarations,
            Screen::Catalogue => t.nav_catalogue,
            Screen::Agreements => t.nav_agreements,
            Screen::Verification => t.nav_verification,
            Screen::Mandates => t.nav_mandates,
            Screen::Pot => t.nav_pot,
        }
    }

    /// Parses a screen name (Dutch or English), for `inwonercloud app --screen`.
    pub fn parse(s: &str) -> Option<Screen> {
        Some(match s.to_lowercase().as_str() {
            "clients" | "clienten" | "cliënten" | "budgethouders" => Screen::Clients,
            "overview" | "overzicht" => Screen::Overview,
            "plan" => Screen::Plan,
            "budget" => Screen::Budget,
            "sharing" | "delen" => Screen::Sharing,
            "devices" | "apparaten" => Screen::Devices,
            "journal" | "dagboek" => Screen::Journal,
            "inbox" => Screen::Inbox,
            "market" | "marktplaats" => Screen::Market,
            "declarations" | "declaraties" => Screen::Declarations,
            "catalogue" | "catalogus" => Screen::Catalogue,
            "agreements" | "overeenkomsten" => Screen::Agreements,
            "verification" | "verificatie" => Screen::Verification,
            "mandates" | "machtigingen" | "namens" => Screen::Mandates,
            "pot" | "wijkbudget" => Screen::Pot,
            _ => return None,
        })
    }
}

/// Claim verification on a background thread with its own vault handle.
pub struct VerifyJob {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    rx: std::sync::mpsc::Receiver<Result<ClaimReport, String>>,
}

impl VerifyJob {
    /// Starts verifying every claim the vault in `dir` can see; an error is
    /// given in `lang`.
    pub fn start(dir: PathBuf, key: VaultKey, lang: Lang) -> Self {
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let (d, tt) = (done.clone(), total.clone());
        std::thread::spawn(move || {
            let run = || -> Result<ClaimReport, VaultError> {
                let v = Vault::open_with_key(&dir, &key)?;
                let claims = v.claims()?;
                let trust = v.trust_roots()?;
                tt.store(claims.len(), Ordering::Relaxed);
                let mut r = check_all(
                    &claims.declarations,
                    &claims.spends,
                    &claims.transfers,
                    &trust,
                    |n, _| d.store(n, Ordering::Relaxed),
                );
                claims.reconcile(&mut r);
                Ok(r)
            };
            let _ = tx.send(run().map_err(|e| crate::error_text::error_text(&e, lang)));
        });
        VerifyJob { done, total, rx }
    }

    /// Claims checked so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// The report (or error) once finished; taken once.
    pub fn result(&self) -> Option<Result<ClaimReport, String>> {
        self.rx.try_recv().ok()
    }
}

/// A message after an action.
#[derive(Clone, Debug)]
pub struct Notice {
    /// It went wrong.
    pub error: bool,
    /// In words.
    pub text: String,
}

/// What the screens show, read from the vault. Lists a screen must hold while
/// it calls the vault are shared (`Arc`), so frames never copy them.
#[derive(Default)]
pub struct Views {
    /// People whose documents are held here.
    pub holders: Vec<Holder>,
    /// The plan looked at, or why it cannot be shown.
    pub plan: Option<Result<PlanView, String>>,
    /// May this vault write that plan.
    pub plan_writable: bool,
    /// Its changes, newest last.
    pub plan_history: Vec<HistoryEntry>,
    /// The plan as it was at an earlier change.
    pub plan_then: Option<(HistoryEntry, PlanView)>,
    /// The budget looked at, or why it cannot be shown.
    /// Shared, so a screen can hold it across vault calls without copying the ledger each frame.
    pub budget: Option<Result<Arc<BudgetView>, String>>,
    /// Whether that budget is this vault owner's own.
    pub budget_is_own: bool,
    /// Own consents.
    pub consents: Vec<ConsentView>,
    /// Own invites.
    pub invites: Vec<Invite>,
    /// Known peers.
    pub peers: Vec<PeerInfo>,
    /// Who got what.
    pub access: Vec<AccessLine>,
    /// Journal notes.
    pub notes: Vec<Authored<JournalNote>>,
    /// Refused changes.
    pub rejections: Vec<Rejection>,
    /// Requests on the budget looked at, with their timelines.
    pub requests: Arc<Vec<RequestView>>,
    /// The municipality's inbox (requests waiting for a decision).
    pub inbox: Arc<Vec<RequestView>>,
    /// The policy in force (own or the municipality's), with who signed it.
    pub policy: Option<Authored<Policy>>,
    /// The categories in force.
    pub catalogue: Catalogue,
    /// Wijkbudget pots held here (owned, or shared as a partner).
    pub pots: Vec<PotDashboard>,
    /// Offerings of every provider whose catalogue is held.
    pub offerings: Arc<Vec<OfferingView>>,
    /// A municipality's own admissions of providers to its market.
    pub admissions: Vec<inwonercloud_schemas::ProviderAdmission>,
    /// Agreements held, with declarations.
    pub agreements: Arc<Vec<AgreementView>>,
    /// Transfers to and from this vault's owner.
    pub transfers: Arc<Vec<TransferView>>,
    /// The last claim verification (municipality).
    pub claims: Option<ClaimReport>,
    /// Names of known identities (self and peers).
    pub names: BTreeMap<PublicKey, String>,
    /// Municipality keys trusted here, and why.
    pub trusted: BTreeMap<PublicKey, inwonercloud_vault::trust::TrustSource>,
    /// Mandates the owner gave (as budget holder).
    pub mandates: Vec<inwonercloud_vault::MandateView>,
    /// Mandates others gave the owner: for whom she acts.
    pub mandates_for_me: Vec<inwonercloud_vault::MandateView>,
    /// Commissions: those representatives gave this holder's vault, and
    /// those this vault's owner gave for the people she acts for.
    pub commissions: Vec<inwonercloud_vault::commission::CommissionView>,
}

/// A signed, irreversible step waiting for the person's yes: what will be
/// signed and what it does, shown before anything is signed.
pub struct Confirm {
    /// What will be signed, in words.
    pub what: String,
    /// What it does (to the budget, to who may see what).
    pub effect: String,
    /// The message once done.
    pub done: String,
    /// The step itself.
    pub step: Step,
}

/// A step on the vault, run once.
pub type Step = Box<dyn FnOnce(&mut Vault) -> Result<(), VaultError>>;

/// What the screen does once a confirmed step succeeded (clear its form, say more).
pub type Then = Box<dyn FnOnce(&mut Workspace)>;

/// An open vault in the window.
pub struct Workspace {
    /// The vault engine, shared with the network thread.
    pub vault: Shared,
    /// Whose vault.
    pub who: WhoAmI,
    /// The screen shown.
    pub screen: Screen,
    /// Whose documents are looked at (none: one's own).
    pub subject: Option<PublicKey>,
    /// What the screens show.
    pub views: Views,
    /// Form contents.
    pub forms: Forms,
    /// The network, when started.
    pub net: Option<Network>,
    /// The last message.
    pub notice: Option<Notice>,
    /// The last ticket made here.
    pub ticket: Option<String>,
    /// A claim verification running in the background.
    pub verifying: Option<VerifyJob>,
    /// A signed step waiting for confirmation.
    pub confirm: Option<Confirm>,
    /// What to do after the confirmed step succeeded (see [`Workspace::ask_then`]).
    confirm_then: Option<Then>,
    dirty: bool,
    /// Set by the engine when anyone in this process changed a document.
    changed: Arc<AtomicBool>,
    last_poll: Instant,
    /// The window's language, set every frame by [`Workspace::tick`]: the
    /// language errors are shown in.
    pub lang: Lang,
}

impl Workspace {
    /// Opens the vault in `dir` with its passphrase; starts the network when `net` is given.
    pub fn open(
        dir: &std::path::Path,
        passphrase: &Passphrase,
        net: Option<(NodeConfig, egui::Context)>,
    ) -> Result<Self, VaultError> {
        let vault = Vault::open(dir, passphrase)?;
        let who = vault.whoami();
        let screen = Screen::for_role(who.role)[0];
        let vault = Shared::new(vault);
        let changed = Arc::new(AtomicBool::new(false));
        let repaint = net.as_ref().map(|(_, ctx)| ctx.clone());
        let flag = changed.clone();
        vault.subscribe(move |_| {
            flag.store(true, Ordering::Release);
            if let Some(ctx) = &repaint {
                ctx.request_repaint();
            }
        });
        let mut ws = Workspace {
            net: net.map(|(cfg, ctx)| Network::start(vault.clone(), cfg, ctx)),
            vault,
            who,
            screen,
            subject: None,
            views: Views::default(),
            forms: Forms::default(),
            notice: None,
            ticket: None,
            verifying: None,
            confirm: None,
            confirm_then: None,
            dirty: true,
            changed,
            last_poll: Instant::now(),
            lang: Lang::Nl,
        };
        ws.reload();
        Ok(ws)
    }

    /// Starts verifying every claim in the background, on its own handle.
    pub fn verify_job(&self) -> VerifyJob {
        let v = self.vault.lock();
        VerifyJob::start(v.dir().to_path_buf(), v.key(), self.lang)
    }

    /// Is this the citizen's own vault (as opposed to a professional's).
    pub fn is_citizen(&self) -> bool {
        self.who.role == Role::Citizen
    }

    /// The document of `kind` looked at: the subject's, or one's own.
    pub fn doc_of(&self, kind: DocKind) -> Option<String> {
        self.doc_in(&self.vault.lock(), kind)
    }

    fn doc_in(&self, v: &Vault, kind: DocKind) -> Option<String> {
        match &self.subject {
            Some(k) => self
                .views
                .holders
                .iter()
                .find(|h| &h.identity == k)
                .and_then(|h| h.doc(kind))
                .map(str::to_string),
            None => {
                let own = v.doc_id(kind);
                v.header(&own).ok().map(|_| own)
            }
        }
    }

    /// The name of an identity as far as known (self or a peer), else its short key.
    pub fn name_of(&self, k: &PublicKey) -> String {
        self.views.names.get(k).cloned().unwrap_or_else(|| k.short())
    }

    /// The name of whose documents are looked at.
    pub fn subject_name(&self) -> String {
        match &self.subject {
            Some(k) => self.vault.lock().display_name(k),
            None => self.who.name.clone(),
        }
    }

    /// Runs a vault operation from a screen: on success shows `ok` and
    /// re-reads the views; on failure shows the error and changes nothing.
    pub fn act<R>(&mut self, ok: &str, f: impl FnOnce(&mut Vault) -> Result<R, VaultError>) -> Option<R> {
        let result = f(&mut self.vault.lock());
        match result {
            Ok(r) => {
                self.inform(ok.to_string());
                self.dirty = true;
                Some(r)
            }
            Err(e) => {
                self.fail_with(&e);
                None
            }
        }
    }

    /// Asks for a yes before a signed, irreversible step; the step runs
    /// (through [`Workspace::act`]) only when the person confirms.
    pub fn ask(&mut self, confirm: Confirm) {
        self.confirm = Some(confirm);
        self.confirm_then = None;
    }

    /// [`Workspace::ask`], and `then` once the confirmed step succeeded
    /// (not when it is cancelled or refused).
    pub fn ask_then(&mut self, confirm: Confirm, then: impl FnOnce(&mut Workspace) + 'static) {
        self.ask(confirm);
        self.confirm_then = Some(Box::new(then));
    }

    /// Shows why input cannot be signed, the way [`Workspace::act`] shows a
    /// refused step (nothing is signed).
    pub fn reject(&mut self, e: impl Into<VaultError>) {
        let e = e.into();
        self.act::<()>("", |_| Err(e));
    }

    /// Shows the step waiting for confirmation, if any, as a modal dialog.
    pub fn confirmation(&mut self, ctx: &egui::Context, t: &Texts) {
        let Some(c) = &self.confirm else { return };
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm")).show(ctx, |ui| {
            ui.set_max_width(460.0);
            ui.heading(t.confirm_title);
            ui.add_space(6.0);
            ui.label(egui::RichText::new(&c.what).strong());
            ui.add_space(4.0);
            ui.label(&c.effect);
            ui.add_space(4.0);
            ui.label(egui::RichText::new(t.confirm_irreversible).weak());
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let yes = ui.button(t.confirm_yes);
                let no = ui.button(t.confirm_no);
                // Enter never signs by accident: the keyboard starts on
                // "Annuleren"; only a deliberate Tab reaches the yes.
                if !yes.has_focus() && !no.has_focus() {
                    no.request_focus();
                }
                if yes.clicked() {
                    answer = Some(true);
                }
                if no.clicked() {
                    answer = Some(false);
                }
            });
        });
        // Esc (or a click beside the dialog) is "Annuleren".
        if answer.is_none() && modal.should_close() {
            answer = Some(false);
        }
        match answer {
            Some(true) => {
                if let Some(c) = self.confirm.take()
                    && self.act(&c.done, c.step).is_some()
                    && let Some(then) = self.confirm_then.take()
                {
                    then(self);
                }
                self.confirm_then = None;
            }
            Some(false) => {
                self.confirm = None;
                self.confirm_then = None;
            }
            None => {}
        }
    }

    /// Shows an error.
    pub fn fail(&mut self, text: String) {
        self.notice = Some(Notice { error: true, text });
    }

    /// Shows a vault error, in the window's language.
    pub fn fail_with(&mut self, e: &VaultError) {
        self.fail(crate::error_text::error_text(e, self.lang));
    }

    /// Shows that something went well.
    pub fn inform(&mut self, text: String) {
        self.notice = Some(Notice { error: false, text });
    }

    /// Asks the network to do something; says so when it is not running.
    pub fn net(&mut self, c: NetCmd, t: &Texts) {
        let sent = self.net.as_mut().is_some_and(|n| n.send(c));
        if !sent {
            self.fail(t.net_off.to_string());
        }
    }

    /// Between frames: network events, and every half second a look at the
    /// vault file for changes the network wrote.
    pub fn tick(&mut self, t: &Texts) {
        self.lang = t.lang;
        let events = self.net.as_mut().map(|n| n.poll()).unwrap_or_default();
        for e in events {
            match e {
                NetEvent::Ticket(s) => {
                    self.ticket = Some(s);
                    self.dirty = true;
                }
                NetEvent::Synced(r) => {
                    // The peer's fingerprint, to compare with what it shows (see Delen).
                    let fp = r
                        .peer
                        .map(|p| format!(" ({} {})", t.fingerprint, inwonercloud_vault::trust::fingerprint(&p)))
                        .unwrap_or_default();
                    self.inform(format!(
                        "{}{fp}",
                        t.synced(&r.peer_name, r.received_changes, r.sent_changes)
                    ));
                    self.dirty = true;
                }
                NetEvent::Error(e) => self.fail(crate::error_text::anyhow_text(&e, self.lang)),
                NetEvent::Failed(e) => self.fail(format!("{}: {e}", t.net_failed)),
                NetEvent::Started(..) | NetEvent::Peers(_) => {}
            }
        }
        // Another process (a command in a terminal) may write the file; with
        // the network on, its node looks every 200 ms and the engine tells us.
        if self.net.is_none() && self.last_poll.elapsed() >= Duration::from_millis(500) {
            self.last_poll = Instant::now();
            let refreshed = self.vault.try_lock().map(|mut v| v.refresh());
            if let Some(Err(e)) = refreshed {
                self.fail_with(&e);
            }
        }
        if self.changed.swap(false, Ordering::AcqRel) {
            self.dirty = true;
        }
        if self.dirty {
            self.reload();
        }
    }

    /// Whether the views wait to be read again (the engine was busy).
    pub fn reload_pending(&self) -> bool {
        self.dirty
    }

    /// Reads every view again from the vault.
    pub fn reload(&mut self) {
        let engine = self.vault.clone();
        // The network thread may be importing a long first sync: draw what
        // we have and read again on the next frame.
        let Some(mut guard) = engine.try_lock() else {
            self.dirty = true;
            return;
        };
        self.dirty = false;
        let v: &mut Vault = &mut guard;
        self.views.holders = v.holders().unwrap_or_default();
        if self.subject.is_none() && !self.is_citizen() {
            self.subject = self.views.holders.first().map(|h| h.identity);
        }
        let plan_doc = self.doc_in(v, DocKind::Plan);
        let budget_doc = self.doc_in(v, DocKind::Budget);
        let lang = self.lang;
        let text = |e: VaultError| crate::error_text::error_text(&e, lang);
        self.views.plan = plan_doc.as_ref().map(|d| v.plan(d).map_err(text));
        self.views.plan_writable = plan_doc
            .as_ref()
            .and_then(|d| v.header(d).ok().map(|h| h.may_write(&v.identity())))
            .unwrap_or(false);
        self.views.plan_history = plan_doc.as_ref().and_then(|d| v.history(d).ok()).unwrap_or_default();
        self.views.budget = budget_doc.as_ref().map(|d| v.budget(d).map(Arc::new).map_err(text));
        self.views.pots = v.pots().iter().filter_map(|d| v.pot_dashboard(d).ok()).collect();
        self.views.requests = Arc::new(budget_doc.as_ref().and_then(|d| v.requests(d).ok()).unwrap_or_default());
        self.views.inbox = Arc::new(if v.role() == Role::Municipality {
            v.inbox().unwrap_or_default()
        } else {
            Vec::new()
        });
        self.views.policy = v.policy();
        self.views.offerings = Arc::new(v.offerings().unwrap_or_default());
        self.views.admissions = v.provider_admissions().unwrap_or_default();
        self.views.agreements = Arc::new(v.agreements().unwrap_or_default());
        self.views.transfers = Arc::new(v.transfers().unwrap_or_default());
        if self.views.claims.is_some() && self.verifying.is_none() {
            // Something changed: verify again in the background.
            self.verifying = Some(VerifyJob::start(v.dir().to_path_buf(), v.key(), self.lang));
        }
        self.views.catalogue = v.catalogue();
        self.views.budget_is_own = budget_doc
            .as_ref()
            .and_then(|d| v.header(d).ok().map(|h| h.owner == v.identity()))
            .unwrap_or(false);
        self.views.consents = v.consents().unwrap_or_default();
        self.views.mandates = v.mandates().unwrap_or_default();
        self.views.mandates_for_me = v.mandates_for_me().unwrap_or_default();
        let me = v.identity();
        let mut commissions = v.commissions(&me).unwrap_or_default();
        let holders: std::collections::BTreeSet<_> = self
            .views
            .mandates_for_me
            .iter()
            .map(|m| m.mandate.record.citizen)
            .collect();
        for citizen in holders {
            commissions.extend(v.commissions(&citizen).unwrap_or_default());
        }
        self.views.commissions = commissions;
        self.views.invites = v.invites().unwrap_or_default();
        self.views.peers = v.peers().unwrap_or_default();
        self.views.trusted = v.trusted_municipalities().unwrap_or_default();
        self.views.names = self.views.peers.iter().map(|p| (p.identity, p.name.clone())).collect();
        self.views.names.insert(v.identity(), v.name().to_string());
        self.views.access = v.access_log().unwrap_or_default();
        self.views.notes = v.notes().unwrap_or_default();
        self.views.rejections = v.rejections().unwrap_or_default();
        self.who = v.whoami();
    }

    /// Shows the plan as it was right after change `hash`.
    pub fn show_plan_at(&mut self, entry: &HistoryEntry) {
        let Some(doc) = self.doc_of(DocKind::Plan) else { return };
        let then = self.vault.lock().plan_at(&doc, std::slice::from_ref(&entry.hash));
        match then {
            Ok(p) => self.views.plan_then = Some((entry.clone(), p)),
            Err(e) => self.fail_with(&e),
        }
    }
}
