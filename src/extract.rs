//! Request extractors shared by every area: a JSON body that names the bad field,
//! list paging, the client address and file uploads.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, Problems};

/// A JSON request body. Unlike `web::Json`, a wrong type or a syntax error becomes a
/// 422 naming the field (`errors[].field` is the JSON path), and a missing or wrong
/// content type a 415.
pub struct Body<T>(pub T);

/// Bodies larger than this are refused with 413 (uploads have their own limits).
pub const JSON_LIMIT: usize = 256 * 1024;

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType(
                    "请求体须为 JSON（Content-Type: application/json）".into(),
                ));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == 413 {
                    AppError::PayloadTooLarge(format!("请求体不能超过 {} KB", JSON_LIMIT / 1024))
                } else {
                    AppError::field("body", "无法读取请求体")
                }
            })?;
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            serde_path_to_error::deserialize(de).map(Body).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { "body".to_owned() } else { path };
                let inner = e.into_inner();
                let message = if inner.is_syntax() || inner.is_eof() {
                    format!(
                        "JSON 格式错误（第 {} 行第 {} 列）",
                        inner.line(),
                        inner.column()
                    )
                } else {
                    format!("类型或取值不正确：{inner}")
                };
                AppError::field(field, message)
            })
        })
    }
}

/// `?page=1&per_page=50` as given; [`Paging::parse`] checks it.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 页码，从 1 起（默认 1）
    pub page: Option<String>,
    /// 每页条数，1–500（默认 50）
    pub per_page: Option<String>,
}

/// Checked paging: page ≥ 1, 1 ≤ per_page ≤ 500 (default 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub const MAX_PER_PAGE: i64 = 500;

    pub fn parse(params: &PageParams, problems: &mut Problems) -> Paging {
        let mut number = |field: &str, raw: &Option<String>, default: i64, max: i64| match raw
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => default,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    problems.add(field, format!("应为 1 到 {max} 之间的整数"));
                    default
                }
            },
        };
        Paging {
            page: number("page", &params.page, 1, 1_000_000),
            per_page: number("per_page", &params.per_page, 50, Self::MAX_PER_PAGE),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Number of pages for `total` items (at least 1).
    pub fn pages(&self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// A page of a list, as every list endpoint answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> ListPage<T> {
    pub fn new(items: Vec<T>, total: i64, paging: Paging) -> Self {
        ListPage {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        }
    }
}

/// An IP address or a CIDR block (`10.0.0.0/8`, `::1`), for the trusted-proxy list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    addr: IpAddr,
    prefix: u8,
}

impl IpBlock {
    pub fn parse(s: &str) -> Option<IpBlock> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpBlock { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> Option<u128> {
            match (self.addr, ip) {
                (IpAddr::V4(_), IpAddr::V4(v)) => Some(u128::from(u32::from(v)) << 96),
                (IpAddr::V6(_), IpAddr::V6(v)) => Some(u128::from(v)),
                _ => None,
            }
        };
        let (Some(net), Some(ip)) = (bits(self.addr), bits(ip)) else {
            return false;
        };
        // Both forms sit in the top bits (IPv4 shifted up), so the prefix masks from the top.
        let shift = 128 - u32::from(self.prefix);
        let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
        net & mask == ip & mask
    }
}

/// The client of a request whose TCP peer is `peer`, given its `X-Forwarded-For`.
///
/// Only hops appended by trusted proxies are believed: walking from the right, every
/// hop that is a trusted proxy is skipped and the first one that is not is the client.
/// The left-most hops are whatever the client chose to send, so they are never taken
/// while a later one is untrusted. With `trust_forwarded` and no list, the peer is the
/// one trusted proxy (the right-most hop is the client).
pub fn forwarded_client(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trust_forwarded: bool,
    proxies: &[IpBlock],
) -> Option<IpAddr> {
    let peer = peer?;
    let trusted = |ip: IpAddr| proxies.iter().any(|b| b.contains(ip));
    let peer_trusted = if proxies.is_empty() {
        trust_forwarded
    } else {
        trusted(peer)
    };
    if !peer_trusted {
        return Some(peer);
    }
    let Some(header) = forwarded_for else {
        return Some(peer);
    };
    let mut client = peer;
    for hop in header.rsplit(',').map(str::trim) {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // A garbled hop: believe nothing further left of it.
            break;
        };
        client = ip;
        if !trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// The client's address for throttling and the audit log (see [`forwarded_client`]).
pub fn client_addr(req: &HttpRequest, config: &crate::config::Config) -> Option<String> {
    let header = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    forwarded_client(
        req.peer_addr().map(|a| a.ip()),
        Some(header.as_str()).filter(|h| !h.trim().is_empty()),
        config.trust_forwarded,
        &config.trusted_proxies,
    )
    .map(|ip| ip.to_string())
}

/// One uploaded file.
#[derive(Debug)]
pub struct Upload {
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

/// A multipart form: the file field `file` and any short text fields (a page form's
/// `csrf`, `action`).
#[derive(Debug, Default)]
pub struct UploadForm {
    pub file: Option<Upload>,
    pub fields: std::collections::HashMap<String, String>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The file, or a 422 asking for one.
    pub fn require_file(self) -> AppResult<Upload> {
        self.file.filter(|f| !f.bytes.is_empty()).ok_or_else(|| {
            AppError::field(
                "file",
                "请选择要上传的文件（表单字段 file），且文件不能为空",
            )
        })
    }
}

/// Text fields longer than this are refused.
const MAX_TEXT_FIELD: usize = 4096;
/// At most this many parts in a form, and this many bytes of text fields in all: an
/// upload form has a file and a few short fields (`csrf`, `action`, `dry_run`).
const MAX_PARTS: usize = 32;
const MAX_TEXT_TOTAL: usize = 64 * 1024;

/// Read a multipart form, refusing a file over `max_bytes` with 413 as soon as it
/// grows past the limit (nothing more is read).
pub async fn read_form(mut multipart: Multipart, max_bytes: usize) -> AppResult<UploadForm> {
    let broken = |e: actix_multipart::MultipartError| {
        AppError::field("file", format!("上传内容无法解析：{e}"))
    };
    let mut form = UploadForm::default();
    let (mut parts, mut text_total) = (0usize, 0usize);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(broken)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::PayloadTooLarge(format!(
                "表单字段过多（最多 {MAX_PARTS} 个）"
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == "file";
        if is_file && form.file.is_some() {
            return Err(AppError::field("file", "一次只能上传一个文件"));
        }
        let limit = if is_file {
            max_bytes
        } else {
            MAX_TEXT_FIELD.min(MAX_TEXT_TOTAL - text_total)
        };
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(broken)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if is_file {
                    AppError::PayloadTooLarge(format!("文件不能超过 {} KB", max_bytes / 1024))
                } else if limit < MAX_TEXT_FIELD {
                    AppError::PayloadTooLarge("表单文字内容过多".into())
                } else {
                    AppError::field(name, "字段过长")
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            form.file = Some(Upload { filename, bytes });
        } else {
            text_total += bytes.len();
            let text = String::from_utf8(bytes)
                .map_err(|_| AppError::field(name.clone(), "不是有效的文本"))?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        let mut p = Problems::new();
        let paging = Paging::parse(&PageParams::default(), &mut p);
        assert_eq!(
            paging,
            Paging {
                page: 1,
                per_page: 50
            }
        );
        assert!(p.is_empty());
        let params = PageParams {
            page: Some("0".into()),
            per_page: Some("501".into()),
        };
        Paging::parse(&params, &mut p);
        let e = p.finish().unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["page", "per_page"]);
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_match_their_prefix() {
        let b = IpBlock::parse("10.1.0.0/16").unwrap();
        assert!(b.contains(ip("10.1.200.3")));
        assert!(!b.contains(ip("10.2.0.1")));
        assert!(!b.contains(ip("::1")));
        assert!(
            IpBlock::parse("127.0.0.1")
                .unwrap()
                .contains(ip("127.0.0.1"))
        );
        assert!(IpBlock::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpBlock::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(IpBlock::parse("10.0.0.0/33").is_none());
        assert!(IpBlock::parse("proxy.local").is_none());
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let proxies = [IpBlock::parse("10.0.0.0/8").unwrap()];
        let peer = Some(ip("10.0.0.5"));
        // A client that sends its own X-Forwarded-For cannot choose its address.
        let spoofed = forwarded_client(peer, Some("1.2.3.4, 203.0.113.9"), true, &proxies);
        assert_eq!(spoofed, Some(ip("203.0.113.9")));
        // Two proxies of ours in a row are skipped.
        let chained = forwarded_client(peer, Some("203.0.113.9, 10.0.0.7"), true, &proxies);
        assert_eq!(chained, Some(ip("203.0.113.9")));
        // A peer that is not a trusted proxy is the client, whatever it sends.
        let direct = forwarded_client(Some(ip("198.51.100.1")), Some("1.2.3.4"), true, &proxies);
        assert_eq!(direct, Some(ip("198.51.100.1")));
        // Without trust, the header is ignored.
        assert_eq!(
            forwarded_client(peer, Some("1.2.3.4"), false, &[]),
            Some(ip("10.0.0.5"))
        );
        // Trust with no list: the peer is the one proxy; the right-most hop is the client.
        assert_eq!(
            forwarded_client(peer, Some("6.6.6.6, 1.2.3.4"), true, &[]),
            Some(ip("1.2.3.4"))
        );
        // Garbage stops the walk at the last believable hop.
        assert_eq!(
            forwarded_client(peer, Some("1.2.3.4, not-an-ip"), true, &proxies),
            Some(ip("10.0.0.5"))
        );
    }

    #[test]
    fn pages_round_up() {
        let p = Paging {
            page: 1,
            per_page: 50,
        };
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(50), 1);
        assert_eq!(p.pages(51), 2);
    }
}
