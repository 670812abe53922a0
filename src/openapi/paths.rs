//! The handlers of each area, one list per area: a route added to an area's `routes`
//! without its `#[utoipa::path]` here fails `tests/it/openapi` (every route documented).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(
    crate::archive::api::attach_to_session,
    crate::archive::api::list_session,
    crate::archive::api::attach_to_report,
    crate::archive::api::list_report,
    crate::archive::api::download,
    crate::archive::api::delete,
))]
pub(super) struct ArchivePaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::assessment::api::of_doctor,
    crate::assessment::api::rate,
    crate::assessment::api::reassess,
    crate::assessment::api::certificate,
    crate::assessment::api::certificate_pdf,
    crate::assessment::api::annual_list,
    crate::assessment::api::confirm,
    crate::assessment::api::makeup_lists,
    crate::assessment::api::decide,
    crate::assessment::api::revoke,
))]
pub(super) struct AssessmentPaths;

#[derive(OpenApi)]
#[openapi(paths(crate::audit::api::entries, crate::audit::api::verify,))]
pub(super) struct AuditPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::auth::api::login,
    crate::auth::api::logout,
    crate::auth::api::me,
    crate::auth::api::change_password,
))]
pub(super) struct AuthPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::bank::api::summary,
    crate::bank::api::import,
    crate::bank::api::export_file,
    crate::bank::api::template,
))]
pub(super) struct BankPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::dossier::api::dossier,
    crate::dossier::api::xlsx,
    crate::dossier::api::pdf,
    crate::dossier::api::start_export,
    crate::dossier::api::list_exports,
    crate::dossier::api::export,
    crate::dossier::api::download_export,
))]
pub(super) struct DossierPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::exams::api::create::create,
    crate::exams::api::list::list,
    crate::exams::api::get::get,
    crate::exams::api::withdraw::withdraw,
    crate::exams::api::close::close,
    crate::exams::api::start::start,
    crate::exams::api::results::results,
    crate::exams::api::results_xlsx::results_xlsx,
    crate::exams::api::analysis::analysis,
    crate::exams::api::attempt::attempt,
    crate::exams::api::answer::save_answer,
    crate::exams::api::submit::submit,
))]
pub(super) struct ExamsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::instructors::api::create,
    crate::instructors::api::list,
    crate::instructors::api::get,
))]
pub(super) struct InstructorsPaths;

#[derive(OpenApi)]
#[openapi(paths(crate::notify::api::list, crate::notify::api::retry,))]
pub(super) struct NotifyPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::orgs::api::list,
    crate::orgs::api::create,
    crate::orgs::api::get,
))]
pub(super) struct OrgsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::program::api::list,
    crate::program::api::create,
    crate::program::api::presets,
    crate::program::api::get,
    crate::program::api::update,
    crate::program::api::quotas,
))]
pub(super) struct ProgramPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::regions::api::list,
    crate::regions::api::import,
    crate::regions::api::get,
))]
pub(super) struct RegionsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::reports::api::create,
    crate::reports::api::list,
    crate::reports::api::board,
    crate::reports::api::get,
    crate::reports::api::update,
    crate::reports::api::refresh,
    crate::reports::api::submit,
    crate::reports::api::review,
    crate::reports::api::figure,
))]
pub(super) struct ReportsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::roster::api::create::create,
    crate::roster::api::list::list,
    crate::roster::api::template::template,
    crate::roster::api::export::export,
    crate::roster::api::import::import,
    crate::roster::api::get::get,
    crate::roster::api::update::update,
    crate::roster::api::status::set_status,
    crate::roster::api::reveal::reveal,
    crate::roster::api::account::create_account,
))]
pub(super) struct RosterPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::sessions::api::create,
    crate::sessions::api::list,
    crate::sessions::api::get,
    crate::sessions::api::mark,
    crate::sessions::api::checkin_code,
    crate::sessions::api::checkin,
    crate::sessions::api::sign_in_sheet,
))]
pub(super) struct SessionsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::shadowing::api::create,
    crate::shadowing::api::list,
    crate::shadowing::api::get,
    crate::shadowing::api::add_rotation,
    crate::shadowing::api::assess,
    crate::shadowing::api::add_log,
    crate::shadowing::api::sign_off,
))]
pub(super) struct ShadowingPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::skills::api::create_station,
    crate::skills::api::list_stations,
    crate::skills::api::create_exam,
    crate::skills::api::list_exams,
    crate::skills::api::get_exam,
    crate::skills::api::put_sheet,
    crate::skills::api::get_sheet,
    crate::skills::api::get_results,
    crate::skills::api::get_statistics,
))]
pub(super) struct SkillsPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::study::api::create::create,
    crate::study::api::list::list,
    crate::study::api::pending::pending,
    crate::study::api::import::import,
    crate::study::api::get::get,
    crate::study::api::review::approve,
    crate::study::api::review::reject,
    crate::study::api::evidence::upload,
    crate::study::api::evidence::download,
    crate::study::api::progress::progress,
    crate::study::api::accounts::link,
    crate::study::api::table::table,
    crate::study::api::table::export,
    crate::study::api::share::share,
))]
pub(super) struct StudyPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::support::api::record_visit,
    crate::support::api::compliance,
    crate::support::api::record_absence,
    crate::support::api::dispatched,
))]
pub(super) struct SupportPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::tutoring::api::create_team,
    crate::tutoring::api::list_teams,
    crate::tutoring::api::propose,
    crate::tutoring::api::create_group,
    crate::tutoring::api::list_groups,
    crate::tutoring::api::get_group,
    crate::tutoring::api::archive,
    crate::tutoring::api::archive_pdf,
    crate::tutoring::api::notice_pdf,
    crate::tutoring::api::set_members,
    crate::tutoring::api::log_activity,
    crate::tutoring::api::evaluate,
    crate::tutoring::api::missing,
    crate::tutoring::api::township_notice_pdf,
    crate::tutoring::api::doctor_tutoring,
))]
pub(super) struct TutoringPaths;

#[derive(OpenApi)]
#[openapi(paths(
    crate::users::api::create,
    crate::users::api::list,
    crate::users::api::get,
    crate::users::api::disable,
    crate::users::api::enable,
    crate::users::api::reset_password,
    crate::users::api::set_email,
))]
pub(super) struct UsersPaths;

/// Every area's paths, relative to `/api/v1`.
pub(super) fn areas() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        ArchivePaths::openapi(),
        AssessmentPaths::openapi(),
        AuditPaths::openapi(),
        AuthPaths::openapi(),
        BankPaths::openapi(),
        DossierPaths::openapi(),
        ExamsPaths::openapi(),
        InstructorsPaths::openapi(),
        NotifyPaths::openapi(),
        OrgsPaths::openapi(),
        ProgramPaths::openapi(),
        RegionsPaths::openapi(),
        ReportsPaths::openapi(),
        RosterPaths::openapi(),
        SessionsPaths::openapi(),
        ShadowingPaths::openapi(),
        SkillsPaths::openapi(),
        StudyPaths::openapi(),
        SupportPaths::openapi(),
        TutoringPaths::openapi(),
        UsersPaths::openapi(),
    ]
}
