//! What the user is typing: one struct per form, kept between frames.

use std::collections::HashMap;

use inwonercloud_schemas::{
    EntryKind, FundingStream, GoalStatus, LifeDomain, Outcome, Period, Role, ServiceUnit, Unit,
};

/// Per request: what is typed on its card.
#[derive(Debug)]
pub struct CardForm {
    /// Answer or question or review reason.
    pub text: String,
    /// Decision outcome.
    pub outcome: Outcome,
    /// Amount granted (partial grants).
    pub amount: String,
    /// Reasons for the decision.
    pub reasons: String,
    /// An integral grant's funding: the amount typed per funding stream.
    pub funding: std::collections::BTreeMap<inwonercloud_schemas::FundingStream, String>,
}

impl Default for CardForm {
    fn default() -> Self {
        CardForm {
            funding: Default::default(),
            text: String::new(),
            outcome: Outcome::Toegekend,
            amount: String::new(),
            reasons: String::new(),
        }
    }
}

/// An agreement with an informal carer (mantelzorger), as it is typed.
#[derive(Debug)]
pub struct InformalForm {
    /// Index among the people who can be a carer.
    pub carer: usize,
    /// Index among the euro accounts.
    pub account: usize,
    /// Category code.
    pub category: String,
    /// Euros per hour.
    pub tariff: String,
    /// Most hours.
    pub hours: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub until: String,
}

impl Default for InformalForm {
    fn default() -> Self {
        InformalForm {
            carer: 0,
            account: 0,
            category: "begeleiding_informeel".into(),
            tariff: String::new(),
            hours: String::new(),
            from: String::new(),
            until: String::new(),
        }
    }
}

/// Every form's contents.
#[derive(Debug)]
pub struct Forms {
    /// Backup: the file to write.
    pub backup_file: String,
    /// The relay URL being edited (`None`: not loaded from the vault yet).
    pub relay: Option<String>,
    /// The postbus address being edited (`None`: not loaded from the vault yet).
    pub postbus: Option<String>,
    /// Changes still to leave at the postbus, and when they were counted.
    pub postbus_waiting: Option<(std::time::Instant, u64)>,
    /// Backup: the passphrase that will open it.
    pub backup_pass: String,
    /// The recovery phrase, once shown.
    pub recovery_words: Option<String>,
    /// Change passphrase: current, new, new again.
    pub pass_current: String,
    /// The new passphrase.
    pub pass_new: String,
    /// The new passphrase again.
    pub pass_repeat: String,
    /// New goal.
    pub goal_domain: LifeDomain,
    /// New goal text.
    pub goal_text: String,
    /// New goal target date.
    pub goal_target: String,
    /// Situation domain.
    pub situation_domain: LifeDomain,
    /// Situation text.
    pub situation_text: String,
    /// Need domain.
    pub need_domain: LifeDomain,
    /// Need: the citizen's wish.
    pub need_wish: String,
    /// Need: the objective need.
    pub need_objective: String,
    /// Need: hours.
    pub need_hours: String,
    /// Need: per period.
    pub need_period: Period,
    /// Need: tariff.
    pub need_tariff: String,
    /// Need: category code.
    pub need_category: String,
    /// Need: the household member it is for.
    pub need_member: Option<String>,
    /// Goal: the household member it is for.
    pub goal_member: Option<String>,
    /// New household member: name.
    pub member_name: String,
    /// New household member: adult or child.
    pub member_kind: inwonercloud_schemas::MemberKind,
    /// New household member: date of birth.
    pub member_born: String,
    /// Need: goal served (index in the plan's goals, 0 = none).
    pub need_goal: usize,
    /// Plan title.
    pub plan_title: String,
    /// Entry: account index.
    pub entry_account: usize,
    /// Entry kind.
    pub entry_kind: EntryKind,
    /// Entry amount.
    pub entry_amount: String,
    /// Entry date.
    pub entry_date: String,
    /// Entry category.
    pub entry_category: String,
    /// Entry note.
    pub entry_note: String,
    /// The receipt file to attach to a spend (a path).
    pub entry_receipt: String,
    /// Which reservation a release frees (an index into the ledger's reservations).
    pub entry_reservation: usize,
    /// A receipt's file written out to be looked at.
    pub receipt_shown: Option<std::path::PathBuf>,
    /// A photo receipt decoded for the preview: its hash (the texture's
    /// name) and its pixels.
    pub receipt_image: Option<(String, std::sync::Arc<egui::ColorImage>)>,
    /// New account name.
    pub account_name: String,
    /// New account stream.
    pub account_stream: FundingStream,
    /// New account unit.
    pub account_unit: Unit,
    /// New account start.
    pub account_from: String,
    /// New account end.
    pub account_until: String,
    /// Invite: role.
    pub invite_role: Role,
    /// Invite: share the plan.
    pub invite_plan: bool,
    /// Invite: share the budget.
    pub invite_budget: bool,
    /// Invite: share the journal.
    pub invite_journal: bool,
    /// Invite: share the profile.
    pub invite_profile: bool,
    /// Invite: share the catalogue (a provider's, with citizens).
    pub invite_catalogue: bool,
    /// Invite: may write.
    pub invite_write: bool,
    /// Invite: until.
    pub invite_until: String,
    /// Invite: purpose.
    pub invite_purpose: String,
    /// Invite: name of whom.
    pub invite_name: String,
    /// Ticket to join with.
    pub join_ticket: String,
    /// Reason to revoke.
    pub revoke_reason: String,
    /// Journal note.
    pub note: String,
    /// Goal status to set.
    pub goal_status: GoalStatus,
    /// New request: category code.
    pub req_category: String,
    /// Request: for an integral budget, the other categories it may be spent on.
    pub req_integral: Vec<String>,
    /// New request: amount.
    pub req_amount: String,
    /// New request: unit.
    pub req_unit: Unit,
    /// New request: stream.
    pub req_stream: FundingStream,
    /// New request: from.
    pub req_from: String,
    /// New request: until.
    pub req_until: String,
    /// New request: motivation.
    pub req_motivation: String,
    /// New request: linked goals by id.
    pub req_goals: Vec<String>,
    /// New request: account to adjust (index + 1; 0 = a new account).
    pub req_adjusts: usize,
    /// Per request card.
    pub cards: HashMap<String, CardForm>,
    /// Market filter: category code (empty: all).
    pub market_category: String,
    /// Market filter: most per unit.
    pub market_max_price: String,
    /// Market filter: fits the remaining budget.
    pub market_fits: bool,
    /// Market filter: words in the region.
    pub market_region: String,
    /// Market filter: words in the availability.
    pub market_availability: String,
    /// Market filter: only providers a municipality admitted.
    pub market_admitted: bool,
    /// Order: account index.
    pub order_account: usize,
    /// Order: units.
    pub order_units: String,
    /// Order: from.
    pub order_from: String,
    /// Order: until.
    pub order_until: String,
    /// Order: the household member it is for (member id).
    pub order_member: Option<String>,
    /// New offering: service.
    pub offer_service: String,
    /// New offering: category code.
    pub offer_category: String,
    /// New offering: unit.
    pub offer_unit: ServiceUnit,
    /// New offering: price.
    pub offer_price: String,
    /// New offering: region.
    pub offer_region: String,
    /// New offering: availability.
    pub offer_availability: String,
    /// New offering: description.
    pub offer_description: String,
    /// New offering: KvK.
    pub offer_kvk: String,
    /// New offering: AGB.
    pub offer_agb: String,
    /// Transfer: peer index.
    pub transfer_to: usize,
    /// Transfer: amount.
    pub transfer_amount: String,
    /// Transfer: category code.
    pub transfer_category: String,
    /// Wijkbudget: the pot screen's forms.
    pub pot: crate::gui::screens::pot::PotForm,
    /// Policy file to publish.
    pub policy_file: String,
    /// Agreement with an informal carer.
    pub informal: InformalForm,
    /// A mandate being given.
    pub mandate: MandateForm,
    /// A representative's commissions being written, per budget holder (hex identity).
    pub commissions: HashMap<String, CommissionForm>,
}

/// What a representative asks the holder's vault to do: an order or a budget request.
#[derive(Debug, Default)]
pub struct CommissionForm {
    /// Order: the offering (index into the offerings this vault holds).
    pub offering: usize,
    /// Order: her account (name or id).
    pub account: String,
    /// Order: most units.
    pub units: String,
    /// Order: first day of care.
    pub order_from: String,
    /// Order: last day of care.
    pub order_until: String,
    /// Order: the household member the care is for (name; may be empty).
    pub member: String,
    /// Request: first day.
    pub from: String,
    /// Request: last day.
    pub until: String,
    /// Request: category code.
    pub category: String,
    /// Request: amount in euros.
    pub amount: String,
    /// Request: why.
    pub motivation: String,
}

/// A mandate being given: to whom, in which capacity, for what, covering when.
#[derive(Debug)]
pub struct MandateForm {
    /// Representative: index into the known peers.
    pub to: usize,
    /// In which capacity.
    pub capacity: inwonercloud_schemas::Capacity,
    /// May approve declarations.
    pub approve: bool,
    /// May dispute declarations.
    pub dispute: bool,
    /// May ask the holder's vault to order.
    pub order: bool,
    /// May ask the holder's vault to request a budget.
    pub request: bool,
    /// May ask the holder's vault to transfer budget.
    pub transfer: bool,
    /// First day of the affairs covered (empty: 1 January of this year).
    pub from: String,
    /// Last such day (empty: until revoked).
    pub until: String,
}

impl Default for MandateForm {
    fn default() -> Self {
        MandateForm {
            to: 0,
            capacity: inwonercloud_schemas::Capacity::WettelijkVertegenwoordiger,
            approve: true,
            dispute: true,
            order: false,
            request: false,
            transfer: false,
            from: String::new(),
            until: String::new(),
        }
    }
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            backup_file: dirs::home_dir()
                .unwrap_or_default()
                .join("inwonercloud-reservekopie.bak")
                .display()
                .to_string(),
            relay: None,
            postbus: None,
            postbus_waiting: None,
            backup_pass: String::new(),
            recovery_words: None,
            pass_current: String::new(),
            pass_new: String::new(),
            pass_repeat: String::new(),
            goal_domain: LifeDomain::Zelfzorg,
            goal_text: String::new(),
            goal_target: String::new(),
            situation_domain: LifeDomain::Zelfzorg,
            situation_text: String::new(),
            need_domain: LifeDomain::Zelfzorg,
            need_wish: String::new(),
            need_objective: String::new(),
            need_hours: String::new(),
            need_period: Period::Week,
            need_tariff: String::new(),
            need_category: String::new(),
            need_member: None,
            goal_member: None,
            member_name: String::new(),
            member_kind: inwonercloud_schemas::MemberKind::Volwassene,
            member_born: String::new(),
            need_goal: 0,
            plan_title: String::new(),
            entry_account: 0,
            entry_kind: EntryKind::Spend,
            entry_amount: String::new(),
            entry_date: String::new(),
            entry_category: String::new(),
            entry_note: String::new(),
            entry_receipt: String::new(),
            receipt_shown: None,
            receipt_image: None,
            entry_reservation: 0,
            account_name: String::new(),
            account_stream: FundingStream::Wmo,
            account_unit: Unit::Euro,
            account_from: String::new(),
            account_until: String::new(),
            invite_role: Role::Counselor,
            invite_plan: true,
            invite_budget: false,
            invite_journal: false,
            invite_profile: false,
            invite_catalogue: false,
            invite_write: false,
            invite_until: String::new(),
            invite_purpose: String::new(),
            invite_name: String::new(),
            join_ticket: String::new(),
            revoke_reason: String::new(),
            note: String::new(),
            goal_status: GoalStatus::Actief,
            req_category: String::new(),
            req_integral: Vec::new(),
            req_amount: String::new(),
            req_unit: Unit::Euro,
            req_stream: FundingStream::Wmo,
            req_from: String::new(),
            req_until: String::new(),
            req_motivation: String::new(),
            req_goals: Vec::new(),
            req_adjusts: 0,
            cards: HashMap::new(),
            market_category: String::new(),
            market_max_price: String::new(),
            market_fits: false,
            market_region: String::new(),
            market_availability: String::new(),
            market_admitted: false,
            order_account: 0,
            order_units: "10".into(),
            order_from: String::new(),
            order_member: None,
            order_until: String::new(),
            offer_service: String::new(),
            offer_category: String::new(),
            offer_unit: ServiceUnit::Uur,
            offer_price: String::new(),
            offer_region: String::new(),
            offer_availability: String::new(),
            offer_description: String::new(),
            offer_kvk: String::new(),
            offer_agb: String::new(),
            transfer_to: 0,
            transfer_amount: String::new(),
            transfer_category: "begeleiding_informeel".into(),
            pot: Default::default(),
            policy_file: String::new(),
            informal: InformalForm::default(),
            mandate: MandateForm::default(),
            commissions: HashMap::new(),
        }
    }
}
