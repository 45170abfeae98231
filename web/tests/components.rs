//! Component tests in headless Chromium: `cargo test -p vpc-reach-web --target wasm32-unknown-unknown`.
//! Each test mounts one component with a hand-built report and reads the DOM it produced.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use leptos::prelude::*;
use vpc_reach_core::diag::{Diagnostic, Severity};
use vpc_reach_core::fix::{Fix, FixAction};
use vpc_reach_core::ingest::DocumentInfo;
use vpc_reach_core::model::{Command, Origin};
use vpc_reach_core::net::{Cidr, PortRange};
use vpc_reach_core::report::{
    Check, Evidence, Exposure, ExposureReport, Layer, OpenService, Report, Status, Target, Verdict,
};
use vpc_reach_core::{Query, QueryProtocol};
use vpc_reach_web::app::AppState;
use vpc_reach_web::protocol::{
    DiagnosticData, DocumentData, InstanceSummary, LoadSummary, ReportData,
};
use vpc_reach_web::ui;
use vpc_reach_web::view_model::exposure_rows;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const XSS: &str = "<img src=x onerror=alert(1)>";

fn cidr(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

fn check(layer: Layer, status: Status, summary: &str) -> Check {
    Check {
        layer,
        status,
        summary: summary.to_owned(),
        evidence: vec![],
        fix: None,
    }
}

/// The example's situation, as the worker sends it to the page.
fn blocked() -> ReportData {
    ReportData::new(&blocked_report(), "# report".into())
}

/// The example's situation: everything passes but the route table has no route to the IGW.
fn blocked_report() -> Report {
    let mut rt = check(
        Layer::RouteTable,
        Status::Fail,
        "subnet-0ee5 uses rtb-07c6, which has no route to the internet gateway",
    );
    rt.evidence = vec![Evidence {
        object: "rtb-07c6b5a4938271605".into(),
        detail: "route 10.20.0.0/16 → local (no 0.0.0.0/0 route)".into(),
        origin: Some(Origin {
            source: "describe-route-tables.json".into(),
            path: "RouteTables[1]".into(),
        }),
    }];
    rt.fix = Some(Fix::new(
        "add a default route to the internet gateway",
        vec![FixAction::RouteToInternetGateway {
            route_table_id: "rtb-07c6b5a4938271605".into(),
            dest: cidr("0.0.0.0/0"),
            igw_id: "igw-0f1e2d3c4b5a69788".into(),
            replace: false,
        }],
    ));
    let checks = vec![
        check(Layer::InstanceState, Status::Pass, "running"),
        check(Layer::StatusChecks, Status::Pass, "both checks pass"),
        check(
            Layer::PublicIp,
            Status::Pass,
            "203.0.113.45 maps to 10.20.2.15",
        ),
        check(Layer::InternetGateway, Status::Pass, "igw attached"),
        check(Layer::BlockPublicAccess, Status::NotApplicable, "off"),
        rt,
        check(
            Layer::NetworkAclInbound,
            Status::Pass,
            "rule 100 allows all",
        ),
        check(
            Layer::SecurityGroup,
            Status::Warn,
            "tcp/22 from 0.0.0.0/0 only via sg-05e4",
        ),
        check(
            Layer::NetworkAclOutbound,
            Status::Pass,
            "rule 100 allows all",
        ),
    ];
    Report {
        verdict: Verdict::Blocked,
        query: Query {
            target: "i-0abc12de34f56a789".into(),
            protocol: QueryProtocol::Tcp { port: 22 },
            source: None,
            address: None,
        },
        target: Target {
            instance_id: Some("i-0abc12de34f56a789".into()),
            name: Some("web-b".into()),
            eni_id: Some("eni-0123456789abcdef0".into()),
            address: Some("203.0.113.45".parse().unwrap()),
            private_address: Some("10.20.2.15".parse().unwrap()),
            other_addresses: vec![],
        },
        sources: vec![cidr("0.0.0.0/0")],
        blocking: vec![Layer::RouteTable],
        checks,
        reachable_from: vec![],
        partially_reachable_from: vec![],
        assumptions: vec!["clients use ephemeral ports 1024-65535".into()],
        warnings: vec![format!("instance name {XSS}")],
    }
}

/// A fresh container in the page.
fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn mount<F, N>(f: F) -> HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let div = container();
    leptos::mount::mount_to(div.clone(), f).forget();
    div
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches `{selector}`"))
}

fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

fn click(e: &Element) {
    e.unchecked_ref::<HtmlElement>().click();
}

#[wasm_bindgen_test]
fn verdict_banner_names_the_verdict_and_the_blocking_layer() {
    let report = Arc::new(blocked());
    let root = mount(move || view! { <ui::report::VerdictBanner report=report /> });
    let v = find(&root, "[data-testid=verdict]");
    assert_eq!(v.get_attribute("data-verdict").as_deref(), Some("blocked"));
    assert_eq!(text(&v), "blocked");
    let banner = text(&root);
    assert!(
        banner.contains("tcp/22 to web-b (i-0abc12de34f56a789, 203.0.113.45) is blocked from the internet by 1 layer: Route table (return path)."),
        "{banner}"
    );
}

#[wasm_bindgen_test]
fn still_missing_names_the_commands_and_the_collector() {
    let mut r = blocked_report();
    r.verdict = Verdict::Unknown;
    for c in &mut r.checks {
        if c.layer == Layer::NetworkAclInbound {
            c.status = Status::Unknown;
            c.summary = "network ACLs not given: run `aws ec2 describe-network-acls --filters Name=vpc-id,Values=vpc-0a1b`".into();
        }
    }
    let report = Arc::new(ReportData::new(&r, String::new()));
    let root = mount(move || view! { <ui::report::StillMissing report=report /> });
    let section = find(&root, "[data-testid=still-missing]");
    let item = find(&section, "li[data-layer=network_acl_inbound]");
    assert!(
        text(&item).contains("Network ACL inbound"),
        "{}",
        text(&item)
    );
    let cmds: Vec<String> = find_all(&section, ".command code")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        cmds,
        [
            "aws ec2 describe-network-acls --filters Name=vpc-id,Values=vpc-0a1b",
            // Served from localhost in the test: the script is downloaded, not fetched by curl.
            "bash collect.sh i-0abc12de34f56a789 -o bundle.json",
        ]
    );
    let link = find(&section, "[data-testid=collector-download]");
    assert_eq!(link.get_attribute("href").as_deref(), Some("collect.sh"));
    assert_eq!(find_all(&section, "button.copy").len(), 2);

    // A report that every layer decides has nothing missing.
    let decided = Arc::new(blocked());
    let root = mount(move || view! { <ui::report::StillMissing report=decided /> });
    assert!(find_all(&root, "[data-testid=still-missing]").is_empty());
}

#[wasm_bindgen_test]
fn layer_cards_carry_status_evidence_and_fix_commands() {
    let report = Arc::new(blocked());
    let root = mount(move || view! { <ui::report::LayerCards report=report /> });
    let cards = find_all(&root, "[data-testid^=layer-]");
    assert_eq!(cards.len(), 9);
    let rt = find(&root, "[data-testid=layer-route_table]");
    assert_eq!(rt.get_attribute("data-status").as_deref(), Some("fail"));
    assert!(rt.has_attribute("open"), "a failing layer starts expanded");
    let rt_text = text(&rt);
    assert!(
        rt_text.contains("✗ blocks"),
        "text mark beside the colour: {rt_text}"
    );
    assert!(
        rt_text.contains("describe-route-tables.json at RouteTables[1]"),
        "{rt_text}"
    );
    let cmds = find_all(&rt, ".command code");
    assert_eq!(cmds.len(), 1);
    assert_eq!(
        text(&cmds[0]),
        "aws ec2 create-route --route-table-id rtb-07c6b5a4938271605 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-0f1e2d3c4b5a69788"
    );
    assert_eq!(find_all(&rt, "button.copy").len(), 1);
    let sg = find(&root, "[data-testid=layer-security_group]");
    assert_eq!(sg.get_attribute("data-status").as_deref(), Some("warn"));
    assert!(text(&sg).contains("! partly"));
    let ok = find(&root, "[data-testid=layer-instance_state]");
    assert_eq!(ok.get_attribute("data-status").as_deref(), Some("pass"));
    assert!(
        !ok.has_attribute("open"),
        "a passing layer starts collapsed"
    );
}

#[wasm_bindgen_test]
async fn path_diagram_marks_each_hop_and_shows_evidence_on_click() {
    let report = Arc::new(blocked());
    let root = mount(move || view! { <ui::report::PathDiagram report=report /> });
    let status = |id: &str| {
        find(&root, &format!("[data-testid={id}]"))
            .get_attribute("data-status")
            .unwrap()
    };
    // Internet, IGW (worst of pass and n/a), route table, NACL in, SGs, ENI, instance.
    let fwd: Vec<String> = (0..7).map(|i| status(&format!("hop-fwd-{i}"))).collect();
    assert_eq!(
        fwd,
        ["none", "pass", "fail", "pass", "warn", "pass", "pass"]
    );
    let rep: Vec<String> = (0..6).map(|i| status(&format!("hop-rep-{i}"))).collect();
    assert_eq!(rep, ["none", "pass", "fail", "pass", "none", "pass"]);
    let rt = find(&root, "[data-testid=hop-fwd-2]");
    assert!(text(&rt).contains("✗ blocks"));
    assert_eq!(rt.get_attribute("tabindex").as_deref(), Some("0"));
    assert!(text(&find(&root, "[data-testid=hop-detail]")).is_empty());

    rt.dispatch_event(&web_sys::MouseEvent::new("click").unwrap())
        .unwrap();
    leptos::task::tick().await;
    let detail = text(&find(&root, "[data-testid=hop-detail]"));
    assert!(detail.contains("rtb-07c6b5a4938271605"), "{detail}");
    assert!(
        detail.contains("no route to the internet gateway"),
        "{detail}"
    );
    assert_eq!(rt.get_attribute("aria-pressed").as_deref(), Some("true"));

    let sg_reply = find(&root, "[data-testid=hop-rep-4]");
    sg_reply
        .dispatch_event(&web_sys::FocusEvent::new("focus").unwrap())
        .unwrap();
    leptos::task::tick().await;
    let detail = text(&find(&root, "[data-testid=hop-detail]"));
    assert!(detail.contains("stateful"), "{detail}");
}

#[wasm_bindgen_test]
fn input_strings_render_as_text_never_markup() {
    let mut report = blocked_report();
    report.target.name = Some(XSS.into());
    report.checks[5].summary = XSS.into();
    report.checks[5].evidence[0].detail = XSS.into();
    let data = Arc::new(ReportData::new(&report, XSS.into()));
    let root = mount(move || view! { <ui::report::ReportView report=data /> });
    assert!(
        find_all(&root, "img").is_empty(),
        "an <img> element was created"
    );
    let all = text(&root);
    assert!(
        all.contains(&format!("tcp/22 to {XSS} (i-0abc12de34f56a789")),
        "{all}"
    );
    assert!(
        all.contains(&format!("instance name {XSS}")),
        "warning shown as text"
    );
    assert!(text(&find(&root, "[data-testid=layer-route_table]")).contains(XSS));
}

fn exposure_report() -> ExposureReport {
    let svc = |port: u16, all: bool, risk: Option<&str>| OpenService {
        protocol: "tcp".into(),
        ports: PortRange::new(port, port),
        sources: vec![cidr(if all { "0.0.0.0/0" } else { "198.51.100.0/24" })].into(),
        open_to_all: all,
        risk: risk.map(Into::into),
    };
    ExposureReport {
        exposures: vec![
            Exposure {
                instance_id: Some("i-0def98ba76c54e321".into()),
                name: Some("web-a".into()),
                eni_id: "eni-0fed".into(),
                address: "203.0.113.77".parse().unwrap(),
                private_address: None,
                state: Some("running".into()),
                open: vec![
                    svc(443, true, None),
                    svc(22, true, Some("SSH open to the internet")),
                    svc(80, false, None),
                ],
                unknown: vec![],
            },
            Exposure {
                instance_id: Some("i-0aaa".into()),
                name: Some(XSS.into()),
                eni_id: "eni-0aaa".into(),
                address: "203.0.113.9".parse().unwrap(),
                private_address: None,
                state: Some("running".into()),
                open: vec![svc(8080, false, None)],
                unknown: vec![],
            },
        ],
        warnings: vec![],
    }
}

fn summary() -> LoadSummary {
    LoadSummary {
        documents: vec![DocumentData::from(&DocumentInfo {
            source: "describe-instances.json".into(),
            commands: vec![(Command::DescribeInstances, 3)],
            unused: vec!["NextToken".into()],
        })],
        diagnostics: vec![DiagnosticData::from(&Diagnostic {
            severity: Severity::Error,
            source: "paste#2".into(),
            line: Some(3),
            column: Some(14),
            path: None,
            message: "expected `,` or `}`".into(),
            help: Some("check the JSON near this place".into()),
        })],
        evidence_inputs: vec!["flow.log".into()],
        instances: vec![
            InstanceSummary {
                id: "i-0abc12de34f56a789".into(),
                name: Some("web-b".into()),
                state: "running".into(),
                private_ips: vec!["10.20.2.15".into()],
                public_ips: vec!["203.0.113.45".into()],
            },
            InstanceSummary {
                id: "i-07a6b5c4d3e2f1a09".into(),
                name: Some(XSS.into()),
                state: "stopped".into(),
                private_ips: vec!["10.20.1.88".into()],
                public_ips: vec![],
            },
        ],
        exposure: exposure_rows(&exposure_report()),
        exposure_warnings: vec![],
    }
}

#[wasm_bindgen_test]
async fn exposure_table_sorts_and_marks_risky_rows() {
    let s = Arc::new(summary());
    let root = mount(move || view! { <ui::exposure::ExposureTable summary=s /> });
    let ports = || -> Vec<String> {
        find_all(&root, "tbody tr")
            .iter()
            .map(|tr| text(&find(tr, "td:nth-child(4)")))
            .collect()
    };
    // Risky first by default.
    assert_eq!(ports()[0], "22");
    let risky = find_all(&root, "tr[data-risky=true]");
    assert_eq!(risky.len(), 1);
    assert!(text(&risky[0]).contains("⚠ SSH open to the internet"));

    click(&find(&root, "[data-testid=sort-ports]"));
    leptos::task::tick().await;
    assert_eq!(ports(), ["22", "80", "443", "8080"]);
    click(&find(&root, "[data-testid=sort-ports]"));
    leptos::task::tick().await;
    assert_eq!(ports(), ["8080", "443", "80", "22"]);
    assert_eq!(
        find(&root, "[data-testid=sort-ports]")
            .parent_element()
            .unwrap()
            .get_attribute("aria-sort")
            .as_deref(),
        Some("descending")
    );
    assert!(find_all(&root, "img").is_empty());
    assert!(text(&root).contains(XSS));
}

#[wasm_bindgen_test]
fn documents_and_problems_show_sources_and_locations() {
    let s = Arc::new(summary());
    let s2 = s.clone();
    let root = mount(move || {
        view! {
            <ui::documents::DocumentList summary=s />
            <ui::documents::Problems summary=s2 />
        }
    });
    let docs = text(&find(&root, "[data-testid=documents]"));
    assert!(docs.contains("describe-instances.json"), "{docs}");
    assert!(
        docs.contains("aws ec2 describe-instances: 3 resources"),
        "{docs}"
    );
    assert!(docs.contains("NextToken"), "{docs}");
    assert!(docs.contains("flow.log"), "{docs}");
    let errors = find(&root, "[data-testid=errors]");
    let items = find_all(&errors, "li");
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].get_attribute("data-severity").as_deref(),
        Some("error")
    );
    let e = text(&items[0]);
    assert!(e.contains("paste#2:3:14"), "{e}");
    assert!(e.contains("expected `,` or `}`"), "{e}");
    assert!(e.contains("Help: check the JSON"), "{e}");
}

#[wasm_bindgen_test]
async fn instance_picker_filters_and_selects() {
    let st = AppState::new();
    st.summary.set(Some(Arc::new(summary())));
    st.form.update(|f| f.target = "i-0abc12de34f56a789".into());
    let root = mount(move || {
        provide_context(st);
        view! { <ui::question::InstancePicker /> }
    });
    leptos::task::tick().await;
    let options = || -> Vec<String> {
        find_all(&root, "[data-testid=instance-select] option")
            .iter()
            .map(text)
            .collect()
    };
    assert_eq!(
        options(),
        [
            "web-b — i-0abc12de34f56a789 — running — public 203.0.113.45, private 10.20.2.15",
            &format!("{XSS} — i-07a6b5c4d3e2f1a09 — stopped — private 10.20.1.88"),
        ]
    );
    assert!(find_all(&root, "img").is_empty());

    st.instance_filter.set("stopped".into());
    leptos::task::tick().await;
    // The selected instance stays listed first even when the search hides it.
    let opts = options();
    assert_eq!(opts.len(), 2);
    assert!(opts[1].contains("i-07a6b5c4d3e2f1a09"));

    let select: web_sys::HtmlSelectElement =
        find(&root, "[data-testid=instance-select]").unchecked_into();
    select.set_value("i-07a6b5c4d3e2f1a09");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(st.form.get_untracked().target, "i-07a6b5c4d3e2f1a09");

    st.instance_filter.set("no such thing".into());
    leptos::task::tick().await;
    assert_eq!(
        options(),
        [format!(
            "{XSS} — i-07a6b5c4d3e2f1a09 — stopped — private 10.20.1.88"
        )]
    );
}

#[wasm_bindgen_test]
async fn question_form_builds_the_query_from_presets() {
    let st = AppState::new();
    st.summary.set(Some(Arc::new(summary())));
    st.form.update(|f| f.target = "i-0abc12de34f56a789".into());
    let asked = RwSignal::new(0);
    let root = mount(move || {
        provide_context(st);
        let on_analyze = Callback::new(move |()| asked.update(|n| *n += 1));
        view! { <ui::question::QuestionPanel on_analyze=on_analyze /> }
    });
    leptos::task::tick().await;
    let set_select = |testid: &str, value: &str| {
        let s: web_sys::HtmlSelectElement =
            find(&root, &format!("[data-testid={testid}]")).unchecked_into();
        s.set_value(value);
        s.dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    };
    let set_input = |testid: &str, value: &str| {
        let i: web_sys::HtmlInputElement =
            find(&root, &format!("[data-testid={testid}]")).unchecked_into();
        i.set_value(value);
        i.dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    let error = || text(&find(&root, "[data-testid=form-error]"));

    set_select("port", "custom");
    leptos::task::tick().await;
    set_input("port-custom", "70000");
    leptos::task::tick().await;
    assert_eq!(error(), "`70000` is not a port number from 1 to 65535.");
    set_input("port-custom", "8443");
    set_select("protocol", "udp");
    set_input("source", "198.51.100.7");
    leptos::task::tick().await;
    assert_eq!(error(), "");
    let q = st.form.get_untracked().to_query().unwrap();
    assert_eq!(q.protocol, QueryProtocol::Udp { port: 8443 });
    assert_eq!(q.source, Some(cidr("198.51.100.7/32")));

    set_input("source", "my house");
    leptos::task::tick().await;
    assert!(
        error().contains("`my house` is not an IP address or CIDR block"),
        "{}",
        error()
    );

    click(&find(&root, "[data-testid=analyze]"));
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn remember_toggle_is_off_by_default_and_labelled() {
    let remember = RwSignal::new(false);
    let root = mount(move || view! { <ui::layout::Header remember=remember /> });
    let checkbox: web_sys::HtmlInputElement =
        find(&root, "[data-testid=remember]").unchecked_into();
    assert!(!checkbox.checked());
    assert!(text(&find(&root, "[data-testid=privacy]"))
        .contains("nothing you paste or pick leaves your browser"));
    checkbox.click();
    leptos::task::tick().await;
    assert!(remember.get_untracked());
    assert!(text(&root).contains("local storage"));
}
