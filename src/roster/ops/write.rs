//! Changing the roster: registering and editing a doctor, its status, its account.

use super::forbidden;
use crate::access::{self, Caller, Role};
use crate::audit::{self, Entry};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::pii::Pii;
use crate::roster::rules::{self, IdClash, PlaceFacts, PlaceRefusal, Placement};
use crate::roster::store::{self, Clash, DoctorRow};
use crate::roster::{AccountBody, DoctorBody, DoctorRecord, Registration, StatusBody};
use crate::state::AppState;
use crate::users::{CreateUserBody, User};
use crate::{orgs, program, regions, time};

/// Read what placing a registration needs: its region, program (with its city) and
/// clinic.
fn place_facts(conn: &mut AnyConnection, r: &Registration) -> AppResult<PlaceFacts> {
    let region = regions::find(conn, r.region.as_str())?;
    let program = match program::get(conn, r.program_id)? {
        Some(p) => {
            let city = program::region_of(conn, &p)?;
            Some((p, city))
        }
        None => None,
    };
    let clinic = match r.clinic_id {
        Some(id) => orgs::get(conn, id)?,
        None => None,
    };
    Ok(PlaceFacts {
        region,
        program,
        clinic,
    })
}

/// Place a registration ([`rules::place`]): a bad field is a 422, a region outside the
/// caller's subtree a 403 (audited).
fn placed(conn: &mut AnyConnection, caller: &Caller, r: &Registration) -> AppResult<Placement> {
    let facts = place_facts(conn, r)?;
    rules::place(
        caller,
        &r.person,
        r.region_field,
        r.program_id,
        r.clinic_id,
        &facts,
    )
    .map_err(|refusal| match refusal {
        PlaceRefusal::Field(field, message) => AppError::field(field, message),
        PlaceRefusal::OutOfReach { region_code } => forbidden(
            conn,
            caller,
            "doctor.write",
            format!("region:{region_code}"),
            "该行政区划不在您的管辖范围内",
        ),
    })
}

/// The row to store: the person, where it sits, its ID number sealed.
fn row(pii: &Pii, r: &Registration, at: Placement) -> DoctorRow {
    let p = &r.person;
    DoctorRow {
        name: p.name.as_str().to_owned(),
        id_number_enc: pii.encrypt(p.id_number.as_str()),
        id_number_index: pii.blind_index(p.id_number.as_str()),
        id_number_masked: p.id_number.masked(),
        phone: p.phone.as_str().to_owned(),
        gender: p.gender,
        birth_date: p.birth_date,
        education: p.education,
        qualification: p.qualification,
        region_code: at.region_code,
        county_code: at.county_code,
        clinic_id: at.clinic_id,
        program_id: at.program_id,
        cohort_year: p.cohort_year,
        status: p.status,
    }
}

/// The 409 of an ID number that is another doctor's; one held outside the caller's
/// subtree is refused without saying where, and audited for the city to follow up.
fn clash(
    conn: &mut AnyConnection,
    caller: &Caller,
    Clash(clash): Clash,
    region_code: &str,
    editing: bool,
) -> AppError {
    if let IdClash::Hidden { doctor_id } = clash {
        let entry = Entry::new("doctor.registration_refused")
            .target(format!("doctor:{doctor_id}"))
            .detail(serde_json::json!({
                "reason": "id_number_registered_elsewhere", "region_code": region_code,
            }));
        if let Err(e) = audit::record(conn, &caller.actor(), &entry, time::now()) {
            tracing::error!(error = %e, "could not write the audit log");
        }
    }
    AppError::Conflict(
        clash
            .message(editing)
            .unwrap_or("该身份证号已在花名册中")
            .to_owned(),
    )
}

/// Register a doctor (`POST /api/v1/doctors`): admins, in their subtree.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &DoctorBody,
) -> AppResult<DoctorRecord> {
    caller.require(Role::ADMINS)?;
    let registration = rules::check_body(body, time::today_cst())?;
    let caller = caller.clone();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            let at = placed(conn, &caller, &registration)?;
            let row = row(&pii, &registration, at);
            match store::insert(conn, &row, &caller.scope(), &caller.actor(), time::now())? {
                Ok(id) => store::get(conn, id)?.ok_or(AppError::NotFound),
                Err(c) => Err(clash(conn, &caller, c, &row.region_code, false)),
            }
        })
        .await
}

/// Replace a doctor's record (`PUT /api/v1/doctors/{id}`, the same body).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &DoctorBody,
) -> AppResult<DoctorRecord> {
    caller.require(Role::ADMINS)?;
    let body = body.clone();
    let caller = caller.clone();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            access::doctor(conn, &caller, id)?;
            let registration = rules::check_body(&body, time::today_cst())?;
            let at = placed(conn, &caller, &registration)?;
            let row = row(&pii, &registration, at);
            let outcome = store::update_audited(
                conn,
                id,
                &row,
                &caller.scope(),
                &caller.actor(),
                time::today_cst(),
                time::now(),
            )?;
            match outcome {
                Ok(()) => store::get(conn, id)?.ok_or(AppError::NotFound),
                Err(c) => Err(clash(conn, &caller, c, &row.region_code, true)),
            }
        })
        .await
}

/// Record that a doctor left the post, died or returned (admins); the doctor after.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn change_status(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &StatusBody,
) -> AppResult<DoctorRecord> {
    caller.require(Role::ADMINS)?;
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            access::doctor(conn, &caller, id)?;
            let change = rules::check_status(&body, time::today_cst())?;
            store::set_status(conn, id, &change, &caller.actor(), time::now())?;
            store::get(conn, id)?.ok_or(AppError::NotFound)
        })
        .await
}

/// Open the doctor's login account (admins): role doctor, bound to the doctor's region,
/// linked to the record; one account per doctor (409).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn open_account(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &AccountBody,
) -> AppResult<User> {
    caller.require(Role::ADMINS)?;
    let record = access::load_doctor(state, caller, id).await?;
    if record.doctor.user_id.is_some() {
        return Err(AppError::Conflict("该学员已有登录账号".into()));
    }
    let create = CreateUserBody {
        username: body.username.clone(),
        password: body.password.clone(),
        display_name: Some(record.doctor.name.clone()),
        role: Some("doctor".into()),
        region_code: Some(record.doctor.region_code.clone()),
        email: None,
    };
    let prepared = crate::users::prepare_account(state, caller, &create).await?;
    let actor = caller.actor();
    state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                let account = crate::users::store_account(conn, &prepared, &actor, time::now())?;
                store::link_user(conn, id, account.id)?;
                Ok::<_, AppError>(account)
            })
        })
        .await
}
