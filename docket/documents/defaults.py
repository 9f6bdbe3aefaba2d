# ruff: noqa: E501 - the templates are HTML text; their lines are paragraphs, wrapped by the PDF, not here
"""Docket's own wording of the eight statutory documents, in Chinese and English (version 1 of each template).

The data migration ``0002_default_templates`` loads them; administrators then edit them in the admin, each
edit stored as a new version. The names they use are those of ``context.NAMES``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# Early enough for every record a deployment may hold or import.
VALID_FROM = dt.date(2000, 1, 1)


def install_defaults(model: Any) -> int:
    """Add version 1 of every default template that is missing (``model``: the real or a migration's model)."""
    added = 0
    for (kind, language), (title, body) in DEFAULTS.items():
        _obj, created = model.objects.get_or_create(
            kind=kind,
            language=language,
            version=1,
            defaults={"title": title, "body": body, "active": True, "valid_from": VALID_FROM},
        )
        added += created
    return added


_PARTIES_ZH = """<p class="to">当事人：{% for p in parties %}{{ p.name }}{% if p.identifier %}（{% if p.person %}身份证号码{% else %}统一社会信用代码/标识{% endif %}：{{ p.identifier }}）{% endif %}{% if not forloop.last %}；{% endif %}{% endfor %}</p>"""
_PARTIES_EN = """<p class="to">Party: {% for p in parties %}{{ p.name }}{% if p.identifier %} ({% if p.person %}identity number{% else %}identifier{% endif %}: {{ p.identifier }}){% endif %}{% if not forloop.last %}; {% endif %}{% endfor %}</p>"""

_MEASURES_ZH = """<table><tr><th>处罚种类</th><th>对象</th><th>金额（元）</th><th>期限</th></tr>
{% for m in measures %}<tr><td>{{ m.label }}</td><td>{{ m.subject }}</td><td class="n">{{ m.amount }}</td><td>{% if m.due_on %}{{ m.due_on }}前{% endif %}{% if m.starts_on %}{{ m.starts_on }}至{{ m.ends_on }}{% endif %}</td></tr>{% endfor %}</table>"""
_MEASURES_EN = """<table><tr><th>Penalty</th><th>Imposed on</th><th>Amount (CNY)</th><th>Period</th></tr>
{% for m in measures %}<tr><td>{{ m.label }}</td><td>{{ m.subject }}</td><td class="n">{{ m.amount }}</td><td>{% if m.due_on %}by {{ m.due_on }}{% endif %}{% if m.starts_on %}{{ m.starts_on }} – {{ m.ends_on }}{% endif %}</td></tr>{% endfor %}</table>"""

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("filing", "zh-hans"): (
        "立案审批表",
        """<table>
<tr><th>案件编号</th><td>{{ case_ref }}</td><th>立案日期</th><td>{{ filed_on }}</td></tr>
<tr><th>案由</th><td colspan="3">{{ case_title }}</td></tr>
<tr><th>线索来源</th><td colspan="3">{{ clue_ref }}</td></tr>
<tr><th>当事人</th><td colspan="3">{% for p in parties %}{{ p.name }}（{{ p.kind }}，{{ p.identifier }}）{% if not forloop.last %}<br>{% endif %}{% endfor %}</td></tr>
<tr><th>审批意见</th><td colspan="3">经审查，有证据初步证明当事人涉嫌违法，依法应当给予行政处罚，且属于本机关管辖，同意立案。</td></tr>
<tr><th>审批人</th><td>{{ approved_by }}</td><th>审批日期</th><td>{{ issued_on }}</td></tr>
</table>
<p>依据《中华人民共和国行政处罚法》第五十四条及《网信部门行政执法程序规定》，决定立案调查。</p>""",
    ),
    ("filing", "en"): (
        "Filing Approval Form",
        """<table>
<tr><th>Case reference</th><td>{{ case_ref }}</td><th>Filed on</th><td>{{ filed_on }}</td></tr>
<tr><th>Case</th><td colspan="3">{{ case_title }}</td></tr>
<tr><th>From clue</th><td colspan="3">{{ clue_ref }}</td></tr>
<tr><th>Parties</th><td colspan="3">{% for p in parties %}{{ p.name }} ({{ p.kind }}, {{ p.identifier }}){% if not forloop.last %}<br>{% endif %}{% endfor %}</td></tr>
<tr><th>Decision</th><td colspan="3">There is prima facie evidence of a violation that calls for an administrative penalty within this office's jurisdiction: the case is filed.</td></tr>
<tr><th>Approved by</th><td>{{ approved_by }}</td><th>Approved on</th><td>{{ issued_on }}</td></tr>
</table>
<p>Filed for investigation under article 54 of the Administrative Penalty Law of the People's Republic of China and the Provisions on Administrative Law Enforcement Procedures of Cyberspace Administrations.</p>""",
    ),
    ("interview_notice", "zh-hans"): (
        "约谈通知书",
        """<p class="to">{{ party_names }}：</p>
<p>因{{ reason }}，根据《网信部门行政执法程序规定》及相关法律法规，本机关决定对你单位进行约谈。现将有关事项通知如下：</p>
<p>一、约谈时间：{{ time }}</p>
<p>二、约谈地点：{{ place }}</p>
<p>三、参加人员：{{ attendees }}</p>
<p>请你单位主要负责人及相关人员准时参加，并携带本通知书及相关材料。无正当理由拒不参加约谈的，本机关将依法予以处理。</p>
{% if case_ref %}<p>关联案件：{{ case_ref }}</p>{% endif %}""",
    ),
    ("interview_notice", "en"): (
        "Notice of Regulatory Interview",
        """<p class="to">To: {{ party_names }}</p>
<p>Because of {{ reason }}, and under the Provisions on Administrative Law Enforcement Procedures of Cyberspace Administrations and the laws that apply, this office will hold a regulatory interview with you:</p>
<p>1. Time: {{ time }}</p>
<p>2. Place: {{ place }}</p>
<p>3. To attend: {{ attendees }}</p>
<p>Your principal person in charge and the staff concerned are to attend on time, bringing this notice and the materials concerned. A refusal to attend without good reason will be dealt with according to law.</p>
{% if case_ref %}<p>Case: {{ case_ref }}</p>{% endif %}""",
    ),
    ("rectification_order", "zh-hans"): (
        "责令限期改正通知书",
        """<p class="to">{{ party_names }}：</p>
<p>经查，你单位存在违反网络安全和信息内容管理相关法律法规的行为。依据{{ legal_basis|default:"《中华人民共和国网络安全法》等法律法规" }}，现责令你单位于{{ due_on }}前改正，具体要求如下：</p>
<p>{{ requirements|linebreaksbr }}</p>
<p>请你单位按期改正，并将改正情况书面报告本机关。逾期不改正的，本机关将依法予以处理。</p>
{% if case_ref %}<p>关联案件：{{ case_ref }}</p>{% endif %}""",
    ),
    ("rectification_order", "en"): (
        "Order to Rectify within a Time Limit",
        """<p class="to">To: {{ party_names }}</p>
<p>This office has found that you have violated the laws on cybersecurity and online content management. Under {{ legal_basis|default:"the Cybersecurity Law of the People's Republic of China and other laws" }}, you are ordered to rectify by {{ due_on }}, as follows:</p>
<p>{{ requirements|linebreaksbr }}</p>
<p>Report the rectification to this office in writing by that date. Failure to rectify in time will be dealt with according to law.</p>
{% if case_ref %}<p>Case: {{ case_ref }}</p>{% endif %}""",
    ),
    ("prior_notice", "zh-hans"): (
        "行政处罚事先告知书",
        _PARTIES_ZH
        + """
<p>本机关对你（单位）涉嫌违法一案（{{ case_ref }}）进行了调查，现将拟作出行政处罚的事实、理由、依据及处罚内容告知如下：</p>
<h2>一、违法事实</h2><p>{{ facts|linebreaksbr }}</p>
<h2>二、处罚依据</h2><p>{{ legal_basis }}</p>
<h2>三、裁量基准</h2><p>{{ discretion }}</p>
<h2>四、拟作出的行政处罚</h2>"""
        + _MEASURES_ZH
        + """
<h2>五、当事人的权利</h2>
<p>根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩，请于{{ statement_due }}前向本机关提出；逾期未提出的，视为放弃此权利。</p>
{% if hearing_offered %}<p>根据《中华人民共和国行政处罚法》第六十三条、第六十四条，你（单位）有权要求举行听证，请于{{ hearing_request_due }}前向本机关提出；逾期未提出的，视为放弃听证权利。</p>{% endif %}""",
    ),
    ("prior_notice", "en"): (
        "Prior Notice of Administrative Penalty",
        _PARTIES_EN
        + """
<p>This office has investigated the suspected violation ({{ case_ref }}) and informs you of the facts, reasons, legal basis and content of the administrative penalty it proposes:</p>
<h2>1. Facts</h2><p>{{ facts|linebreaksbr }}</p>
<h2>2. Legal basis</h2><p>{{ legal_basis }}</p>
<h2>3. Discretion applied</h2><p>{{ discretion }}</p>
<h2>4. Proposed penalty</h2>"""
        + _MEASURES_EN
        + """
<h2>5. Your rights</h2>
<p>Under articles 44 and 45 of the Administrative Penalty Law you may state your case and defend yourself; do so to this office by {{ statement_due }}, failing which the right is deemed waived.</p>
{% if hearing_offered %}<p>Under articles 63 and 64 of the Administrative Penalty Law you may request a hearing; request it from this office by {{ hearing_request_due }}, failing which the right is deemed waived.</p>{% endif %}""",
    ),
    ("hearing_notice", "zh-hans"): (
        "行政处罚听证通知书",
        _PARTIES_ZH
        + """
<p>根据你（单位）的听证申请，依据《中华人民共和国行政处罚法》第六十四条，本机关决定就{{ case_title }}（{{ case_ref }}）举行听证。现将有关事项通知如下：</p>
<p>一、听证时间：{{ hearing_on }}</p>
<p>二、听证主持人：{{ chair }}</p>
<p>三、你（单位）可以亲自参加听证，也可以委托一至二人代理；委托代理的，应当提交授权委托书。</p>
<p>四、你（单位）认为主持人与本案有直接利害关系的，有权申请回避。</p>
<p>五、无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。</p>""",
    ),
    ("hearing_notice", "en"): (
        "Hearing Notice",
        _PARTIES_EN
        + """
<p>At your request, and under article 64 of the Administrative Penalty Law, this office will hold a hearing on {{ case_title }} ({{ case_ref }}):</p>
<p>1. Date: {{ hearing_on }}</p>
<p>2. Presiding officer: {{ chair }}</p>
<p>3. You may attend in person or appoint one or two representatives, who bring a written power of attorney.</p>
<p>4. You may ask for the presiding officer to withdraw if he or she has a direct interest in the case.</p>
<p>5. Failing to attend without good reason, or leaving without permission, is deemed a waiver of the hearing.</p>""",
    ),
    ("penalty_decision", "zh-hans"): (
        "行政处罚决定书",
        _PARTIES_ZH
        + """
<p>本机关依法对{{ case_title }}（{{ case_ref }}）进行了调查，现已调查终结。</p>
<h2>一、违法事实</h2><p>{{ facts|linebreaksbr }}</p>
{% for v in violations %}<p>{{ v.category }}{% if v.facts %}：{{ v.facts }}{% endif %}</p>{% endfor %}
<h2>二、证据</h2>
<p>上述事实有下列证据证明：</p>
<table><tr><th>序号</th><th>证据名称</th><th>SHA-256（前16位）</th><th>取得日期</th></tr>
{% for e in evidence %}<tr><td>{{ forloop.counter }}</td><td>{{ e.name }}</td><td><code>{{ e.sha256 }}</code></td><td>{{ e.collected_on }}</td></tr>{% empty %}<tr><td colspan="4">（无）</td></tr>{% endfor %}</table>
<h2>三、处罚依据</h2><p>{{ legal_basis }}</p>
<h2>四、裁量情况</h2><p>{{ discretion }}</p>
<h2>五、处罚决定</h2>
<p>本机关决定对你（单位）作出如下行政处罚：</p>"""
        + _MEASURES_ZH
        + """
{% if has_fine %}<h2>六、履行方式和期限</h2>
<p>罚没款合计人民币{{ fines_total }}元。请于收到本决定书之日起{{ payment_days }}日内缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，根据《中华人民共和国行政处罚法》第七十二条，每日按罚款数额的{{ surcharge_percent }}%加处罚款，并可申请人民法院强制执行。</p>{% endif %}
<h2>{% if has_fine %}七{% else %}六{% endif %}、救济途径</h2>
<p>如不服本决定，可以在收到本决定书之日起{{ review_days }}日内依法申请行政复议，或者在{{ litigation_months }}个月内依法向人民法院提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行，法律另有规定的除外。</p>""",
    ),
    ("penalty_decision", "en"): (
        "Decision on Administrative Penalty",
        _PARTIES_EN
        + """
<p>This office has investigated {{ case_title }} ({{ case_ref }}); the investigation is concluded.</p>
<h2>1. Facts found</h2><p>{{ facts|linebreaksbr }}</p>
{% for v in violations %}<p>{{ v.category }}{% if v.facts %}: {{ v.facts }}{% endif %}</p>{% endfor %}
<h2>2. Evidence</h2>
<p>The facts are proven by the following evidence:</p>
<table><tr><th>No.</th><th>Item</th><th>SHA-256 (first 16)</th><th>Collected on</th></tr>
{% for e in evidence %}<tr><td>{{ forloop.counter }}</td><td>{{ e.name }}</td><td><code>{{ e.sha256 }}</code></td><td>{{ e.collected_on }}</td></tr>{% empty %}<tr><td colspan="4">(none)</td></tr>{% endfor %}</table>
<h2>3. Legal basis</h2><p>{{ legal_basis }}</p>
<h2>4. Discretion applied</h2><p>{{ discretion }}</p>
<h2>5. Decision</h2>
<p>This office imposes the following administrative penalties:</p>"""
        + _MEASURES_EN
        + """
{% if has_fine %}<h2>6. Payment</h2>
<p>Fines and confiscations total CNY {{ fines_total }}. Pay them within {{ payment_days }} days of receiving this decision at the designated bank or through the electronic payment system. If the fine is not paid when due, a surcharge of {{ surcharge_percent }}% of the fine is added for each day of delay (Administrative Penalty Law, article 72), and this office may apply to the people's court for enforcement.</p>{% endif %}
<h2>{% if has_fine %}7{% else %}6{% endif %}. Remedies</h2>
<p>If you disagree with this decision, you may apply for administrative review within {{ review_days }} days of receiving it, or bring an administrative lawsuit before the people's court within {{ litigation_months }} months. The decision is enforced during review or litigation unless the law provides otherwise.</p>""",
    ),
    ("no_penalty_decision", "zh-hans"): (
        "不予行政处罚决定书",
        _PARTIES_ZH
        + """
<p>本机关依法对{{ case_title }}（{{ case_ref }}）进行了调查，现已调查终结。</p>
<h2>一、调查认定的事实</h2><p>{{ facts|linebreaksbr }}</p>
<h2>二、证据</h2>
<table><tr><th>序号</th><th>证据名称</th><th>SHA-256（前16位）</th><th>取得日期</th></tr>
{% for e in evidence %}<tr><td>{{ forloop.counter }}</td><td>{{ e.name }}</td><td><code>{{ e.sha256 }}</code></td><td>{{ e.collected_on }}</td></tr>{% empty %}<tr><td colspan="4">（无）</td></tr>{% endfor %}</table>
<h2>三、不予处罚的理由和依据</h2>
<p>{{ no_penalty_reason }}。{{ legal_basis }}</p>
{% if discretion %}<p>{{ discretion }}</p>{% endif %}
<p>根据《中华人民共和国行政处罚法》第三十三条等规定，本机关决定对你（单位）不予行政处罚。</p>
<h2>四、救济途径</h2>
<p>如不服本决定，可以在收到本决定书之日起{{ review_days }}日内依法申请行政复议，或者在{{ litigation_months }}个月内依法向人民法院提起行政诉讼。</p>""",
    ),
    ("no_penalty_decision", "en"): (
        "Decision Not to Impose an Administrative Penalty",
        _PARTIES_EN
        + """
<p>This office has investigated {{ case_title }} ({{ case_ref }}); the investigation is concluded.</p>
<h2>1. Facts found</h2><p>{{ facts|linebreaksbr }}</p>
<h2>2. Evidence</h2>
<table><tr><th>No.</th><th>Item</th><th>SHA-256 (first 16)</th><th>Collected on</th></tr>
{% for e in evidence %}<tr><td>{{ forloop.counter }}</td><td>{{ e.name }}</td><td><code>{{ e.sha256 }}</code></td><td>{{ e.collected_on }}</td></tr>{% empty %}<tr><td colspan="4">(none)</td></tr>{% endfor %}</table>
<h2>3. Reasons and legal basis</h2>
<p>{{ no_penalty_reason }}. {{ legal_basis }}</p>
{% if discretion %}<p>{{ discretion }}</p>{% endif %}
<p>Under article 33 of the Administrative Penalty Law and the provisions that apply, this office decides not to impose an administrative penalty on you.</p>
<h2>4. Remedies</h2>
<p>If you disagree with this decision, you may apply for administrative review within {{ review_days }} days of receiving it, or bring an administrative lawsuit before the people's court within {{ litigation_months }} months.</p>""",
    ),
    ("service_receipt", "zh-hans"): (
        "送达回证",
        """<table>
<tr><th>案件编号</th><td colspan="3">{{ case_ref }}</td></tr>
<tr><th>受送达人</th><td colspan="3">{{ party_names }}</td></tr>
<tr><th>送达文书</th><td colspan="3">{{ served_title }} {{ served_number }}</td></tr>
<tr><th>送达方式</th><td>{{ service_method }}</td><th>送达日期</th><td>{{ served_on }}</td></tr>
<tr><th>当事人是否在场</th><td>{{ party_present }}</td><th>送达凭证</th><td>{{ service_proof }}</td></tr>
<tr><th>受送达人签名</th><td colspan="3" style="height: 22mm"></td></tr>
<tr><th>送达人签名</th><td colspan="3" style="height: 22mm"></td></tr>
</table>""",
    ),
    ("service_receipt", "en"): (
        "Service Receipt",
        """<table>
<tr><th>Case reference</th><td colspan="3">{{ case_ref }}</td></tr>
<tr><th>Served on (person)</th><td colspan="3">{{ party_names }}</td></tr>
<tr><th>Document served</th><td colspan="3">{{ served_title }} {{ served_number }}</td></tr>
<tr><th>Method</th><td>{{ service_method }}</td><th>Date</th><td>{{ served_on }}</td></tr>
<tr><th>Party present</th><td>{{ party_present }}</td><th>Proof</th><td>{{ service_proof }}</td></tr>
<tr><th>Signature of the recipient</th><td colspan="3" style="height: 22mm"></td></tr>
<tr><th>Signature of the server</th><td colspan="3" style="height: 22mm"></td></tr>
</table>""",
    ),
}
