//! The shapes every endpoint shares: the problem+json error body, uploads, files.

use std::collections::BTreeMap;

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Response, ResponseBuilder, Schema};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

/// An error answer (`application/problem+json`, RFC 9457), as `crate::error` writes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Problem {
    /// `urn:cunyi:problem:<kind>`, e.g. `urn:cunyi:problem:validation`.
    #[schema(rename = "type", example = "urn:cunyi:problem:validation")]
    kind: String,
    /// Short Chinese title of the status.
    title: String,
    status: u16,
    /// What went wrong, in Chinese.
    detail: String,
    /// On 422 only: each bad field with its message; nothing was written.
    errors: Option<Vec<ProblemField>>,
}

/// One bad field of a request.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProblemField {
    field: String,
    message: String,
}

/// A file in the answer (a spreadsheet, a PDF, an uploaded document).
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {}

/// A multipart upload: the file in the field `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Upload {
    /// The file (.xlsx, .csv, .txt, .xml, .pdf or an image, as the endpoint takes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .build(),
        )
        .into()
}

fn problems(list: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter()
        .map(|(status, description)| (status.to_string(), problem(description)))
        .collect()
}

/// The errors of an endpoint that needs a login (API.md "Conventions").
pub struct Problems;

impl IntoResponses for Problems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            ("401", "未登录或登录已失效"),
            ("403", "角色无权执行此操作"),
            ("404", "不存在，或在调用者的辖区之外"),
            ("409", "与当前状态冲突（重复、已过期限、已完成）"),
            ("422", "提交的数据有误：errors 逐项列出，未写入任何数据"),
        ])
    }
}

/// The errors of the login endpoint.
pub struct PublicProblems;

impl IntoResponses for PublicProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            ("401", "用户名或密码错误"),
            ("422", "提交的数据有误"),
            ("429", "尝试次数过多（Retry-After 说明何时再试）"),
            ("503", "服务繁忙（Retry-After 说明何时再试）"),
        ])
    }
}
