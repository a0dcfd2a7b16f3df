"""Signals that read what a comment is for, in any language: selling, and to whom.

Commercial intent is an offer together with a price, a discount, a way to get in touch or a
call to action; each is recognised by a handful of words in the languages spam is written in
(and by symbols and shapes that need no language: currency amounts, phone numbers, percentages).
The author's website and name are read for the same words, and the comment is compared with
the post it answers. Nothing here decides alone: `rules` turns these findings into points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from comments_api.screening.links import text_without_links

__all__ = [
    "Intent",
    "brand_like_name",
    "commercial_intent",
    "generic_praise_markers",
    "is_personal_website",
    "commercial_words_in_address",
    "detected_language",
    "relevance",
    "topic_words",
]


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


# Something offered for sale: "our services", "we provide", a paid kind of service, or a trade
# that spam sells (gambling, essays, diplomas), written in any of the common languages.
OFFER = _any(
    r"\b(?:our|my)\s+(?:[\w-]+\s+){0,4}?(?:services?|agency|company|firm|team of|courses?|"
    r"programmes?|programs?|platform|app|software|tools?|products?|consultancy|packages?|"
    r"writers|experts|specialists|solutions?|shop|store|offers?|bureau|analysts|consultants|"
    r"facilitators|trainers|editors|add-in|plugin|licen[cs]es?|subscriptions?)\b",
    r"\bwe\s+(?:offer|provide|supply|deliver|sell|run|arrange|specialise|specialize|handle|"
    r"place|write|do|can (?:help|write|supply|provide|handle|take))\b",
    r"\bwe(?: are|'re)\s+(?:offering|providing|selling|supplying)\b",
    r"\bwe(?: are|'re)\s+(?:an?|the)\s+(?:[\w-]+\s+){0,5}?(?:company|agency|firm|provider|"
    r"supplier|distributor|consultancy|studio|platform|venue|bureau|specialists|experts|"
    r"editors|writers|recruiters?)\b",
    r"\b(?:annual|monthly|lifetime)\s+(?:licen[cs]e|subscription|plan|membership)\b",
    r"\b(?:paid|premium|professional|expert|certified|accredited|affordable|bespoke|"
    r"done-for-you|turnkey|white-label)\s+(?:\w+\s+)?(?:services?|courses?|writers?|"
    r"consult\w*|coaching|support|staffing|certificat\w+|accreditation|training|help|packages?)",
    r"\b(?:accreditation|certification|locum|staffing|recruitment|billing|coding|consultancy|"
    r"consulting|coaching|tutoring|ghostwriting|proofreading)\s+(?:services?|agency|packages?|"
    r"support|solutions?|firm|company|partners?|courses?|programmes?)\b",
    r"\b(?:essays?|assignments?|dissertations?|coursework|theses|thesis|homework)\s+"
    r"(?:help|writ\w+|services?|experts?|done)\b",
    r"\b(?:diplomas?|degrees?|certificates?)\s+(?:for sale|online|without exams?|in \d+ days)\b",
    r"\bbuy\s+(?:a\s+)?(?:diploma|degree|certificate|licen[cs]e)\b",
    r"\b(?:casinos?|betting|sportsbook|jackpots?|poker|roulette|bookmakers?)\b"
    r"|\b(?:online |real money |free )slots?\b|\bslot (?:machines?|games?|sites?|gacor)\b",
    # Spanish, Portuguese, French, Italian, German, Dutch, Turkish, Indonesian, Polish
    r"\b(?:nuestros?|nuestras?)\s+servicios?\b|\bservicios? de\b|\bofrecemos\b|\bapuestas\b"
    r"|\bcasino en l[ií]nea\b|\bensayos? (?:por encargo|personalizad\w+)\b|\bt[ií]tulos?"
    r" universitari\w+\b",
    r"\bnossos servi[cç]os\b|\boferecemos\b|\bapostas\b|\bcomprar diploma\b",
    r"\bnos services\b|\bnous (?:proposons|offrons)\b|\bparis sportifs\b|\bmémoires? sur mesure\b",
    r"\bi nostri servizi\b|\boffriamo\b|\bscommesse\b",
    r"\bunsere?n? (?:dienst\w*|leistungen|angebote?)\b|\bwir bieten\b|\bsportwetten\b"
    r"|\bwetten\b|\bhausarbeit\w* schreiben lassen\b|\bghostwriter\b",
    r"\bonze diensten\b|\bwij bieden\b",
    r"\bhizmetlerimiz\b|\bbahis\b|\bkumarhane\b",
    r"\blayanan kami\b|\bjudi\b|\btaruhan\b",
    r"\bnasze usługi\b|\boferujemy\b|\bzakłady bukmacherskie\b",
    # Cyrillic, Greek, Arabic, Hebrew, Hindi: no word boundaries needed
    r"наши услуги|услуг[иа]|предлагаем|казино|ставки на спорт|букмекер|купить диплом|диплом"
    r" без|на заказ",
    r"υπηρεσίες μας|καζίνο|στοιχήματα",
    r"خدماتنا|نقدم|كازينو|مراهنات|شهادات?.{0,15}للبيع",
    r"השירותים שלנו|קזינו|הימורים",
    r"हमारी सेवाएं|सेवाएँ|कैसीनो|सट्टा",
    # Chinese, Japanese, Korean, Thai, Vietnamese
    r"我们的服务|提供.{0,6}服务|代写|代考|论文代|文凭|学位证|赌场|博彩|娱乐城|百家乐|体育投注",
    r"弊社|当社のサービス|代行|カジノ|オンラインカジノ|ブックメーカー|卒業証書",
    r"저희|서비스 제공|대행|대필|카지노|토토|바카라|스포츠 베팅",
    r"บริการของเรา|คาสิโน|แทงบอล|บาคาร่า",
    r"dịch vụ của chúng tôi|sòng bạc|cá cược|nhà cái",
)

PRICE = _any(
    r"[$€£₹¥₩₽₦₱₺]\s?\d|\d\s?[$€£₹¥₩₽₦₱₺]",
    r"\b\d+(?:[.,]\d+)?\s?(?:usd|eur|gbp|inr|dollars|euros|pounds|rupees|rs)\b",
    r"\b(?:per|a|an)\s+(?:page|hour|session|month|shift|user|seat|head)\b.{0,12}\d"
    r"|\d.{0,12}\b(?:per|a)\s+(?:page|hour|session|month|shift)\b",
    r"\b(?:from|only|just)\s+[$€£]?\d",
    r"\b(?:fixed|flat|monthly|annual|one-off|hourly|day delegate)\s+(?:monthly\s+)?(?:fee|price|"
    r"rate)s?\b|\b(?:what is|send me|tell me) your (?:price|rates?|fee)\b|\bprice for\b",
    r"\b(?:affordable|low[- ]cost|cheap(?:est)?|budget[- ]friendly|best price|lowest price|"
    r"competitive (?:rates|prices|pricing)|price list|pricing)\b",
    r"\b(?:precio|precios|barato|económico|prix|pas cher|preis|günstig|prezzo|economico|"
    r"preço|barato|fiyat|ucuz|harga|murah|cena|tanio)\b",
    r"цен[аы]|дешев|недорог|руб\.?|рублей|τιμή|سعر|أسعار|מחיר|कीमत|सस्ता",
    r"价格|便宜|优惠价|元起|価格|格安|円から|가격|저렴|원부터|ราคา|giá rẻ",
)

DISCOUNT = _any(
    r"\bdiscount\w*|\b(?:promo|coupon|voucher|discount|referral)\s*(?:code)?s?\b.{0,20}"
    r"\b[A-Z0-9]{4,}\b",
    r"\b(?:promo|coupon|voucher|referral)\s+codes?\b|\bcoupons?\b|\bvouchers?\b",
    r"\d+\s?%\s?(?:off|discount|rabatt|descuento|de descuento|remise|de réduction|sconto|"
    r"desconto|korting|indirim|diskon|скидк\w*|折|割引|할인)",
    r"\b(?:free (?:\d+[- ]day )?trial|first (?:order|session|month|lesson) free|welcome bonus|"
    r"bonus|free spins|limited[- ]time offer|special offer|sale ends|early bird|offer ends|"
    r"reduced (?:price|rate|fee)s?|no (?:setup|set-up|joining|booking) fee|money[- ]back|"
    r"(?:fee|money) back|no win,? no fee|only (?:charge|pay) (?:on|for) results|"
    r"guaranteed (?:results|acceptance|pass|rating))\b",
    r"\b(?:rabatt|descuentos?|bono|remise|réduction|promo|sconto|desconto|korting|indirim|"
    r"diskon|promosi|zniżka|gratis)\b",
    r"скидк|бонус|акци[яи]|έκπτωση|خصم|تخفيض|הנחה|छूट|折扣|优惠|返利|割引|クーポン|ボーナス"
    r"|할인|쿠폰|보너스|ส่วนลด|โบนัส|khuyến mãi|giảm giá",
)

CONTACT = _any(
    r"\b(?:whats\s?app|telegram|wechat|viber|skype|line id|kakao\s?talk|signal me)\b",
    r"(?<![\w.])\+?\d[\d ()-]{8,}\d(?![\w.])",  # a phone number
    r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b",  # an e-mail address
    r"\b(?:dm|inbox|message|email|e-mail|text|ring|call)\s+(?:me|us)\b",
    r"\b(?:contact|reach)\s+(?:us|me|our team)\b|\bget in touch\b|\breach out\b",
    r"\b(?:contáctanos|escríbenos|llámanos|contactez[- ]nous|écrivez[- ]nous|kontaktieren sie|"
    r"schreiben sie uns|contattaci|scrivici|fale conosco|entre em contato|bize ulaşın|"
    r"hubungi kami)\b",
    r"свяжитесь|напишите нам|звоните|пишите в|επικοινωνήστε|تواصل معنا|اتصل بنا|צרו קשר"
    r"|संपर्क करें|联系我们|加微信|微信|お問い合わせ|ご連絡|문의|연락|ติดต่อ|liên hệ",
)

CALL_TO_ACTION = _any(
    r"\b(?:order|buy|shop|book|enrol+|register|sign up|subscribe|apply|join|download|grab|claim)"
    r"\s+(?:now|today|yours|your (?:place|spot|seat|copy|free)|online|here|via|at|through)\b",
    r"\b(?:click|tap)\s+(?:here|the link|below|my name)\b",
    r"\bbook\s+(?:a|an|your)\s+(?:free\s+)?(?:[\w-]+\s+){0,2}?(?:call|demo|consultation|"
    r"session|place|slot|trial|quote|meet-up|event|team)\b",
    r"\b(?:request|get|ask for|for)\s+a\s+(?:free\s+)?(?:quote|demo|price|trial)\b|\bdemo\s*:",
    r"\b(?:download|install|grab)\s+(?:it|yours|the app)?\s*(?:now|today|from)\b",
    r"\b\w+\s+(?:slots|places|spaces|spots)\s+left\b",
    r"\b(?:visit|see|check out|try)\s+(?:our|my)\b",
    r"\b(?:details|more info\w*|find out more|learn more|enquire|enquiries|read more|"
    r"full (?:details|list))\s+(?:at|on|via|here|through)\b",
    r"\bhire\s+(?:us|our|an? (?:expert|writer|professional|consultant))\b",
    r"\b(?:limited (?:places|spots|seats|availability)|don't miss|hurry|act now|while stocks last)",
    r"\b(?:compra|comprar|compre|pide|reserva|regístrate|acheter|achetez|commandez|réservez|"
    r"inscrivez-vous|kaufen|bestellen|jetzt|buchen|ordina|acquista|iscriviti|encomende|"
    r"satın al|hemen|sipariş|beli sekarang|daftar sekarang|kup teraz|zamów)\b",
    r"купить|закажи|заказать|покупайте|переходи|αγοράστε|اشتري|اطلب الآن|سجل الآن|קנו עכשיו"
    r"|अभी खरीदें|ऑर्डर करें|立即|马上|购买|点击|今すぐ|購入|ご購入|申し込|지금 바로|구매|주문"
    r"|가입하|สั่งซื้อ|สมัครเลย|mua ngay|đăng ký ngay",
)

# Words that a business puts in its domain or its commenter name; matched inside compounds,
# so that "bestessaywriters" counts "essay" and "writer".
COMMERCIAL_STEMS = (
    "essay",
    "writer",
    "writing",
    "assignment",
    "homework",
    "dissertation",
    "thesis",
    "diploma",
    "degree",
    "casino",
    "betting",
    "slot",
    "poker",
    "jackpot",
    "loan",
    "cash",
    "credit",
    "pharma",
    "pills",
    "meds",
    "viagra",
    "cialis",
    "seo",
    "backlink",
    "rank",
    "marketing",
    "agency",
    "deal",
    "discount",
    "coupon",
    "promo",
    "cheap",
    "buy",
    "shop",
    "store",
    "sale",
    "outlet",
    "crypto",
    "forex",
    "bitcoin",
    "escort",
    "dating",
    "replica",
    "vape",
    "cbd",
    "keto",
    "locum",
    "staffing",
    "recruit",
    "accredit",
    "certif",
    "billing",
    "consult",
    "coaching",
    "tutor",
    "visa",
    "immigration",
    "removal",
    "movers",
    "cleaning",
    "plumb",
    "roofing",
    "repair",
    "solutions",
    "services",
    "digital",
    "media",
    "leads",
    "growth",
    "academy",
    "course",
    "training",
    "clinic",
    "dental",
    "cosmetic",
    "aesthetic",
    "lawyer",
    "attorney",
    "insurance",
    "mortgage",
    "realty",
    "property",
    "hosting",
    "software",
    "tech",
    "apps",
    "bet",
    "win",
    "earn",
    "money",
    "review",
    "best",
    "top",
    "online",
    "pro",
    "expert",
    "bathroom",
    "kitchen",
    "fitters",
    "lashes",
    "beauty",
    "salon",
    "detailing",
    "wedding",
    "photography",
    "skip",
    "hire",
    "garden",
    "paper",
    "helper",
    "solar",
    "pest",
    "hotel",
    "spa",
    "travel",
    "flights",
    "holiday",
    "vpn",
    "stream",
    "guarantee",
    "nclex",
    "wholesale",
    "supplies",
    "deals",
    "income",
    "jobs",
    "careers",
    "voucher",
    "followers",
    "likes",
)
SAFE_SHORT_STEMS = frozenset({"vpn", "seo", "cbd"})  # three letters, yet rare inside words
WEAK_STEMS = frozenset({"best", "top", "online", "pro", "expert", "win", "tech", "review"})
ADDRESS_WORD = re.compile(r"[a-z]+")
NAME_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
BUSINESS_NAME_ENDINGS = re.compile(
    r"\b(?:ltd|limited|inc|llc|llp|plc|gmbh|co|corp|company|solutions|services|agency|group|"
    r"consulting|consultancy|digital|marketing|media|academy|clinic|pharmacy|store|shop|online|"
    r"official|hq|team|writers|experts|pros?|uk|usa|global|international)\.?$",
    re.IGNORECASE,
)

COMMON_WORDS = (
    "a about above after again all also am an and any are as at be because been before being "
    "below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into is "
    "it its itself just me more most my myself no nor not now of off on once only or other our "
    "ours out over own same she should so some such than that the their theirs them then there "
    "these they this those through to too under until up very was we were what when where "
    "which while who whom why will with would you your yours yourself post article blog read "
    "thanks thank great good nice really very much many one get got like use used using "
    "month months week weeks year years day days time first last new notes note just easy "
    "fix what did not"
)
STOPWORDS = frozenset(COMMON_WORDS.split())
TOPIC_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass(frozen=True)
class Intent:
    """What a body offers and how it asks to be taken up, by kind, for the reasons."""

    offer: bool
    asks: tuple[str, ...]  # among "a price", "a discount", "contact details", "a call to action"

    @property
    def commercial(self) -> bool:
        """An offer with at least one way to pay or take it up, or two of those without one."""
        return (self.offer and bool(self.asks)) or len(self.asks) >= 2


def commercial_intent(body: str) -> Intent:
    """The offer and the asks found in the body, links cut out first (they are counted apart)."""
    text = text_without_links(body)
    asks = tuple(
        label
        for label, pattern in (
            ("a price", PRICE),
            ("a discount", DISCOUNT),
            ("contact details", CONTACT),
            ("a call to action", CALL_TO_ACTION),
        )
        if pattern.search(text)
    )
    return Intent(offer=bool(OFFER.search(text)), asks=asks)


def commercial_words_in_address(domain: str) -> list[str]:
    """Commercial words inside a domain's own labels (not its ending), strongest first."""
    labels = domain.lower().split(".")
    name = " ".join(labels[:-1]) if len(labels) > 1 else labels[0]
    found: list[str] = []
    for word in ADDRESS_WORD.findall(name):
        for stem in COMMERCIAL_STEMS:
            if (
                stem in word
                and stem not in found
                and (
                    len(stem) > 3
                    or word == stem
                    or word.startswith(stem)
                    or stem in SAFE_SHORT_STEMS
                )
            ):
                found.append(stem)
    strong = [stem for stem in found if stem not in WEAK_STEMS]
    return strong + [stem for stem in found if stem in WEAK_STEMS] if strong else []


def brand_like_name(author_name: str) -> str | None:
    """Why the display name reads as a business or a string of keywords, or None for a person.

    Names are read word by word (CamelCase split), and a keyword must be a whole word give or
    take an ending ("Writers", "Loans"), so that "Saleh" is not read as "sale".
    """
    name = author_name.strip()
    if not name:
        return None
    words = NAME_WORD.findall(CAMEL_CASE.sub(" ", name).lower())
    stems = [
        stem
        for stem in COMMERCIAL_STEMS
        if stem not in WEAK_STEMS
        and any(
            word in (stem, stem + "s", stem + "es", stem + "er", stem + "ers", stem + "ing")
            for word in words
        )
    ]
    if len(stems) >= 2:
        return f"keywords ({', '.join(stems)})"
    if BUSINESS_NAME_ENDINGS.search(name) and len(words) >= 2:
        return "the name of a business" + (f" ({stems[0]})" if stems else "")
    if stems and len(words) >= 2:
        return f"a keyword ({stems[0]})"
    return None


def topic_words(text: str) -> set[str]:
    """The content words of a text, lower case, without the commonest English words."""
    return {
        word
        for word in TOPIC_WORD.findall(text_without_links(text).lower())
        if word not in STOPWORDS
    }


def relevance(body: str, post_text: str) -> float | None:
    """Share of the post's title words that the comment uses; None when there is no post text."""
    post = topic_words(post_text)
    if not post:
        return None
    comment = {word[:5] for word in topic_words(body)}
    return len({word[:5] for word in post} & comment) / len(post)


LANGUAGE_CONFIDENCE = 0.6  # of 97 languages; it only matters next to a commercial link


@cache
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detected_language(body: str) -> str | None:
    """The body's language (ISO 639-1) when it is clear enough to say, else None.

    Short texts (fewer than four words and twenty letters) are too short to tell.
    """
    text = text_without_links(body)
    letters = sum(character.isalpha() for character in text)
    if letters < 20:
        return None
    identifier = _identifier()
    language, confidence = identifier.classify(text)  # type: ignore[attr-defined]
    return str(language) if confidence >= LANGUAGE_CONFIDENCE else None


# What praise that fits under any post is made of: it talks about the writing, never the subject.
PRAISE_MARKERS = re.compile(
    r"\b(?:thoughtful|well (?:written|structured|put together|said|done|researched)|clearly "
    r"written|easy to follow|enjoyed|pleasure to read|refreshing|bookmark\w*|shar(?:e|ed|ing) "
    r"(?:it|this|the link)|passed the link|keep (?:writing|up|the posts coming|it up)|looking "
    r"forward|next (?:post|instalment|article|one)|your (?:writing|blog|work|content|perspective|"
    r"knowledge|site|summary|articles?|posts?)|this (?:article|piece|post|blog|page|one)|great job|"
    r"excellent|brilliant|fantastic|informative|insightful|comprehensive|valuable|appreciate\w*|"
    r"thank you for (?:taking|writing|sharing|putting|this)|recommend\w*|so glad|wonderful|"
    r"engaging|pleasure|talent|reader)\b",
    re.IGNORECASE,
)
PERSONAL_SITE_WORDS = frozenset(
    {"blog", "blogs", "writes", "the", "my", "home", "site", "page", "dr", "me", "notes", "journal"}
)
HOSTED_SITES = ("blogspot.com", "wordpress.com", "github.io", "substack.com", "medium.com")


def generic_praise_markers(body: str) -> int:
    """How many different stock phrases of praise the body uses."""
    return len({match.group().lower() for match in PRAISE_MARKERS.finditer(body)})


def is_personal_website(domain: str, author_name: str) -> bool:
    """True when the site's own name is the author's name (with "blog" and the like at most)."""
    labels = domain.lower().split(".")
    hosted = any(domain.endswith(site) for site in HOSTED_SITES)
    label = labels[0] if hosted or len(labels) < 2 else labels[-2]
    if len(labels) > 2 and not hosted and labels[-2] in {"co", "org", "ac", "com", "net"}:
        label = labels[-3]
    name_words = [
        word
        for word in NAME_WORD.findall(CAMEL_CASE.sub(" ", author_name).lower())
        if len(word) > 1
    ]
    if not name_words or commercial_words_in_address(domain):
        return False
    rest = re.sub(r"[^a-z]", "", label)
    matched = False
    for word in sorted(name_words, key=len, reverse=True):
        if word in rest:
            rest = rest.replace(word, "", 1)
            matched = True
    for word in sorted(PERSONAL_SITE_WORDS, key=len, reverse=True):
        rest = rest.replace(word, "")
    return matched and not rest
