//! Two devices of the owner change who may write while apart — one grants,
//! the other revokes — and every replica ends with the same header, in
//! which the revocation holds, whatever order the headers travel in.

use inwonercloud_schemas::{LifeDomain, Role};
use inwonercloud_tests::{another_device, plan_with_writer, vault};
use inwonercloud_vault::Vault;

/// `to` imports what `from` holds of `doc` (refusals are part of the story).
fn hand_over(from: &Vault, to: &mut Vault, doc: &str) {
    let _ = to.import_bundle(&from.bundle(doc).unwrap(), "peer");
}

#[test]
fn a_grant_and_a_revocation_made_apart_converge_and_the_revocation_holds() {
    for order in 0..2 {
        let tmp = tempfile::tempdir().unwrap();
        // Anna's laptop holds her plan; Mallory (counselor) may write it.
        let (mut laptop, mut mallory, plan) = plan_with_writer(tmp.path());
        let mut phone = another_device(&mut laptop, &tmp.path().join("phone"), "telefoon");
        let ben = vault(&tmp.path().join("ben"), "Ben", Role::Counselor);
        hand_over(&laptop, &mut phone, &plan);
        phone.add_device_certificate(mallory.device_certificate()).unwrap();

        // Apart: the laptop lets Ben write; the phone revokes Mallory.
        laptop.add_writer(&plan, ben.identity(), Role::Counselor).unwrap();
        phone.remove_writer(&plan, mallory.identity()).unwrap();

        // The headers travel, in either order, to each other and to Mallory.
        if order == 0 {
            hand_over(&laptop, &mut phone, &plan);
            hand_over(&phone, &mut laptop, &plan);
        } else {
            hand_over(&phone, &mut laptop, &plan);
            hand_over(&laptop, &mut phone, &plan);
        }
        hand_over(&laptop, &mut phone, &plan);
        hand_over(&phone, &mut laptop, &plan);
        hand_over(&laptop, &mut mallory, &plan);
        hand_over(&phone, &mut mallory, &plan);

        let h = laptop.header(&plan).unwrap().clone();
        assert_eq!(
            phone.header(&plan).unwrap(),
            &h,
            "order {order}: both devices hold one header"
        );
        assert_eq!(mallory.header(&plan).unwrap(), &h, "order {order}: and so does Mallory");
        assert!(h.may_write(&ben.identity()), "order {order}: the grant holds");
        assert!(!h.may_write(&mallory.identity()), "order {order}: the revocation holds");
        assert_eq!(h.role_of(&ben.identity()), Some(Role::Counselor));

        // Mallory's later writing is refused by both of Anna's devices.
        mallory
            .add_goal(&plan, LifeDomain::Wonen, "na de intrekking", None)
            .ok();
        for v in [&mut laptop, &mut phone] {
            let before = v.plan(&plan).unwrap().goals.len();
            hand_over(&mallory, v, &plan);
            assert_eq!(v.plan(&plan).unwrap().goals.len(), before, "order {order}");
        }

        // A re-grant made after seeing the revocation wins over it.
        laptop.add_writer(&plan, mallory.identity(), Role::Counselor).unwrap();
        hand_over(&laptop, &mut phone, &plan);
        assert!(
            phone.header(&plan).unwrap().may_write(&mallory.identity()),
            "order {order}"
        );
    }
}
