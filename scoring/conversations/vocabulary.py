"""The words a visitor uses, by what they say about the visitor: the phrases the offline
grader (criteria.py, judgement.py, bant.py) looks for, in English, Spanish, German, French
and Portuguese.

Phrases follow core.text_match.whole_word_pattern: whole words, any case, a space matching
any run of whitespace, a `*` any word ending. Lists that hold regular expressions say so.
Each list names a kind of thing people say, not the sentences of any one conversation.
"""

# --- negation: "we don't need a demo" does not ask for one --------------------------------

# Words that, shortly before a phrase in the same clause, turn it around.
NEGATION_CUES = (
    # English
    "no", "not", "don't", "dont", "do not", "does not", "doesn't", "didn't", "did not",
    "won't", "will not", "isn't", "aren't", "never", "without", "no need", "skip",
    "already have", "already use", "already using", "already signed", "signed with",
    "instead of", "rather than", "neither", "nor",
    # Spanish
    "sin", "nunca", "ya tenemos", "tampoco",
    # German
    "nicht", "kein", "keine", "keinen", "keiner", "ohne", "nie",
    # French
    "pas", "ne", "n'ai", "n'avons", "n'a", "n'est", "n'ont", "sans", "jamais", "aucun", "aucune",
    # Portuguese
    "não", "nao", "sem", "nenhum", "nenhuma",
)  # fmt: skip
# Interjections that look like a negation but turn nothing around: "No problem, …" (regex).
NOT_A_NEGATION = r"\b(?:no|nope|nah)\s*(?:problem|worries|rush|thanks|thank you)?\s*[,!.]|\bno (?:problem|worries)\b"
# Where a negation stops reaching: the end of a clause (regex).
CLAUSE_BREAK = r"[.;:!?\n]|,\s*(?:but|pero|aber|mais|mas)\b|\b(?:but|however|pero|aber|mais|mas)\b"
# How many words before a phrase a negation cue may stand.
NEGATION_REACH_WORDS = 4

# --- the seed's criteria, in five languages -------------------------------------------------

PRICING = (
    "price*", "pricing", "cost", "costs", "how much", "plans", "pricing plan", "which plan",
    "what plan", "paid plan", "subscription*", "quote", "per seat", "per user", "licen*",
    "tier", "tiers", "billing", "discount",
    "precio*", "cuánto cuesta", "cuanto cuesta", "cuánto vale", "coste", "costo", "tarifa*",
    "planes", "suscripción", "cotización",
    "preis*", "kosten", "was kostet", "tarif*", "abo", "abonnement", "lizenz*",
    "prix", "combien coûte", "combien ça coûte", "coût", "coûts", "abonnement*", "forfait*",
    "devis",
    "preço*", "quanto custa", "custo*", "planos", "assinatura*", "mensalidade", "cotação",
)  # fmt: skip
DEMO = (
    "demo", "demos", "trial", "trials", "try it", "try it out", "test drive",
    "proof of concept", "poc", "pilot", "walkthrough", "see it in action",
    "demostración", "prueba gratuita", "periodo de prueba", "probarlo",
    "vorführung", "testversion", "testphase", "testzugang", "ausprobieren",
    "démo", "démonstration", "essai gratuit", "période d'essai", "l'essayer",
    "demonstração", "teste grátis", "teste gratuito", "período de teste", "testar",
)  # fmt: skip
ENTERPRISE = (
    "enterprise", "sso", "single sign-on", "saml", "scim", "sla", "slas", "audit log*",
    "on-prem*", "on prem*", "self-host*", "dedicated instance", "soc 2", "soc2",
    "iso 27001", "hipaa", "gdpr", "rbac", "role-based access", "data residency",
    "uptime guarantee", "admin controls",
    "rgpd", "dsgvo", "lgpd",
)  # fmt: skip
TIMELINE = (
    "timeline", "timeframe", "go live", "go-live", "rollout", "roll out", "deadline",
    "implementation", "implement", "onboarding", "launch", "next week", "next month",
    "next quarter", "this quarter", "this month", "this week", "by q1", "by q2", "by q3",
    "by q4", "how long does it take", "how soon", "asap", "by friday", "by monday",
    "end of the month", "end of the quarter",
    "plazo", "esta semana", "este mes", "la próxima semana", "el próximo mes",
    "implementación", "puesta en marcha", "lo antes posible",
    "zeitplan", "frist", "diese woche", "diesen monat", "nächste woche", "nächsten monat",
    "einführung", "so schnell wie möglich", "bis ende",
    "délai*", "cette semaine", "ce mois-ci", "la semaine prochaine", "le mois prochain",
    "mise en place", "déploiement", "au plus vite", "dès que possible",
    "prazo", "esta semana", "este mês", "semana que vem", "próxima semana", "mês que vem",
    "próximo mês", "implantação", "o quanto antes",
)  # fmt: skip
BUDGET = (
    "budget*", "afford", "allocated", "spend", "spending", "$*", "usd", "eur", "€*", "£*",
    "set aside", "signed off",
    "presupuesto", "presupuestado", "inversión",
    "etat", "mittel",
    "enveloppe",
    "orçamento", "verba", "investimento",
)  # fmt: skip
COMPANY = (
    "our company", "my company", "our team", "my team", "our business", "our startup",
    "our organization", "our org", "our agency", "our store", "our firm", "we are a",
    "we're a", "we are an", "we're an", "i work at", "i work for", "i run", "employees",
    "people on", "headcount", "our customers", "our clients", "staff", "our offices",
    "our stores", "our clinic*", "our shop", "i own",
    "nuestra empresa", "mi empresa", "nuestro equipo", "somos una", "somos un", "empleados",
    "trabajadores", "nuestra tienda", "nuestros clientes",
    "unser unternehmen", "unsere firma", "unser team", "wir sind ein*", "mitarbeiter*",
    "beschäftigte", "unsere kunden",
    "notre entreprise", "notre société", "notre équipe", "nous sommes une", "nous sommes un",
    "employés", "salariés", "collaborateurs", "nos clients", "nos bureaux",
    "nossa empresa", "minha empresa", "nossa equipe", "nosso time", "somos uma", "somos um",
    "funcionários", "colaboradores", "nossa loja", "nossos clientes",
)  # fmt: skip
INTEGRATION = (
    "integrat*", "api", "apis", "webhook*", "connect to", "connect with", "sync with",
    "salesforce", "hubspot", "slack", "zapier", "shopify", "zendesk", "intercom",
    "pipedrive", "sdk", "plugin", "plug-in", "sap", "quickbooks", "xero", "netsuite",
    "integración", "integrar", "conectar con", "schnittstelle*", "anbindung", "integrieren",
    "intégration", "intégrer", "connecteur", "integração", "integrar com",
)  # fmt: skip
USE_CASE = (
    "use case", "use cases", "we need", "we want", "we're looking", "we are looking",
    "looking for a way", "our goal", "to automate", "help us", "we're trying",
    "we are trying", "so that we", "we use", "we currently", "our workflow", "we have to",
    "we must", "requirement*", "i need",
    "necesitamos", "queremos", "buscamos", "nos interesa",
    "wir brauchen", "wir benötigen", "wir suchen", "wir möchten", "anforderung*",
    "nous avons besoin", "nous cherchons", "nous voulons",
    "precisamos", "procuramos", "queremos",
)  # fmt: skip
TECHNICAL = (
    "rest api", "graphql", "json", "oauth", "endpoint*", "rate limit*", "latency",
    "throughput", "scalab*", "database", "sql", "kubernetes", "docker", "aws", "gcp",
    "azure", "encryption", "architecture", "schema", "self-hosted", "data model", "hmac",
    "ldap", "cli",
)  # fmt: skip

# --- buying steps: a visitor taking one is hot whatever the message count -------------------

# Regular expressions (case-insensitive); {quote} etc. are filled in by judgement.py.
# What a business buys by the piece: more of them, ordered, is a purchase being sized.
_UNITS = (
    r"(?:seats?|licen[cs]es?|users?|accounts?|locations?|sites?|stores?|devices?|units?|"
    r"terminals?|handhelds?|scanners?|printers?|readers?|tablets?|laptops?|vehicles?|trucks?|"
    r"vans?|trackers?|sensors?|cameras?|agents?|rooms?|clinics?|kiosks?|modules?|subscriptions?)"
)
_QUOTE_WORDS = (
    r"(?:quote|quotation|proposal|order form|contract|agreement|msa|nda|invoice|price sheet|"
    r"rate sheet|fee schedule|policy wording|paperwork)"
)
COMMITMENT_PATTERNS = (
    # asking for the paperwork of a purchase
    r"\b(?:send|get|need|want|request|prepare|receive|email|share|put together)\b"
    r"(?:\s+\w+){0,4}?\s+" + _QUOTE_WORDS + r"s?\b",
    r"\b(?:formal|official|written|firm|final)\s+" + _QUOTE_WORDS + r"\b",
    r"\b" + _QUOTE_WORDS + r"\s+for\s+(?:the\s+|our\s+)?(?:\d|\w+\s+(?:plan|tier|package|seats))",
    # saying they will buy or sign
    r"\b(?:ready|want|wants|like|need|plan|planning|going|looking|prepared)\s+to\s+"
    r"(?:buy|purchase|order|sign(?!\s*(?:up|in|on)\b)|move forward|proceed|go ahead|place an order)\b",
    r"\b(?:we|i)(?:'d| would| will|'ll| can| could)\s+(?:sign(?!\s*(?:up|in|on)\b)|buy|purchase|order)\b",
    r"\bsign\s+(?:this|by|before|today|now|the (?:contract|agreement|order))\b",
    r"\bcountersign\w*\b",
    # procurement under way
    r"\bpurchase\s+orders?\b", r"\bP\.?O\.?\b(?=\s|$|[.,!?])",
    r"\b(?:raise|issue|cut|start|process|get)\s+(?:a|the|our)?\s*(?:po|purchase order)\b",
    r"\bsecurity\s+(?:questionnaire|review|assessment)\b", r"\bvendor\s+(?:onboarding|registration|setup|form)\b",
    r"\bprocurement\b", r"\bnet[- ]?\d{2}\b", r"\bpayment\s+terms\b",
    r"\b(?:budget|purchase|order|spend)\s+(?:is|was|has been|'s)?\s*(?:approved|signed off|validated|cleared)\b",
    r"\b(?:boss|manager|director|vp|cfo|ceo|leadership|management|board|owner)\s+"
    r"(?:already\s+)?(?:approved|signed off|said yes|gave (?:us |me )?the go-ahead|okayed)\b",
    # a tender under way, an order being sized, cover bound, business moved
    r"\b(?:we(?:'ve| have)|we just|we're|we are)\s+(?:just\s+|now\s+)?(?:issued|sent out|launched|"
    r"running|opened|published)\s+(?:an?\s+|our\s+|the\s+)?(?:rfp|rfq|tender|request for "
    r"(?:proposals?|quotes?))\b",
    r"\b(?:respond|reply|bid)\s+(?:to\s+)?(?:our|this)\s+(?:rfp|rfq|tender)\b",
    r"\b(?:rfp\s+|tender\s+)?(?:responses?|bids?|submissions?)\s+(?:are\s+|is\s+)due\b",
    r"\b(?:need|want|order|add|buy|get)\s+(?:\d+|a few|several|two|three|four|five|six|ten)\s+"
    r"(?:more|additional|extra)\s+" + _UNITS + r"\b",
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?bundle\b", r"\bplease\s+bundle\b",
    r"\b(?:can|could)\s+(?:we|you|i)\s+(?:\w+\s+){0,4}?at the same (?:rate|price)\b",
    r"\bbind\s+(?:the\s+|this\s+|our\s+)?(?:cover|coverage|policy|this|it)\b",
    r"\bmove\s+(?:our|the)\s+(?:whole|entire|full|annual)\s+(?:\w+\s+)?(?:volume|business|account|spend)"
    r"\s+to\s+you\b",
    # asking sales to act
    r"\b(?:someone|somebody)\s+from\s+(?:sales|your sales team)\b(?!\s+(?:in|around|after|next|later))",
    r"\bon the phone (?:today|tomorrow|this week)\b",
    r"\b(?:can|could|would|please|have|get|need|want)\s+(?:someone|somebody|a rep|your sales(?: team)?|sales)\s+(?:from sales\s+)?"
    r"(?:to\s+)?(?:call|contact|get in touch|reach out|ring)\b(?!\s+(?:in|around|after|next|later))",
    r"\bcall me\b(?!\s+(?:in|around|after|next|later))",
    r"\bwe(?:'ve| have)\s+(?:decided|chosen|picked|selected)\b"
    r"(?!\s+(?:to go with\s+|on\s+|against\b)?(?:another|a different|someone else|a competitor|against))",
    r"\b(?:pricing|price|prices|numbers|quote)\b[^.!?]{0,60}\bin writing\b",
    r"\bwho\s+(?:handles|manages|deals with|takes care of|do i (?:talk|speak) to about|"
    r"should i (?:contact|talk to) about)\s+(?:the\s+)?(?:contracts?|purchasing|procurement|"
    r"paperwork|orders?|the purchase)\b",
    # Spanish
    r"\b(?:env[ií]\w*|m[aá]nd\w*|necesit\w*|quier\w*|quer\w+|pued\w+ enviar\w*)"
    r"(?:\s+\w+){0,3}?\s+(?:una\s+|un\s+)?(?:cotización|presupuesto formal|propuesta|contrato|orden de compra)\b",
    r"\borden(?:es)? de compra\b", r"\b(?:listos|listo|preparados) para (?:comprar|firmar|contratar)\b",
    r"\b(?:queremos|vamos a|podemos) (?:comprar|firmar|contratar)\b",
    r"\bpresupuesto (?:está |ya está )?aprobado\b", r"\bque me llame\w*\b", r"\bll[aá]m\w*me\b",
    r"\b(?:tengo|tenemos) (?:la )?(?:autorización|aprobación)\b",
    # German
    r"\b(?:schicken|senden|brauchen|benötigen|hätten gern\w*|möchten)(?:\s+\w+){0,3}?\s+"
    r"(?:ein\s+|das\s+)?(?:angebot|kostenvoranschlag|vertrag\w*|bestellformular)\b",
    r"\bangebot\s+(?:für|über|bis)\b", r"\b(?:verbindlich|schriftlich|formell|konkret|final)\w*\s+angebot\b",
    r"\brufen sie (?:mich|uns)\b", r"\b(?:auftrag|zuschlag)\b", r"\bbestell\w*\b", r"\b(?:wollen|möchten|werden) (?:\w+ )?(?:kaufen|unterschreiben)\b",
    r"\bbudget ist (?:schon |bereits )?(?:genehmigt|freigegeben)\b",
    # French
    r"\bdevis\b", r"\bsoumission\b", r"\bbons? de commande\b", r"\b(?:a|ont) (?:approuvé|validé)\b",
    r"\bproposition commerciale\b", r"\bappelez[- ](?:moi|nous)\b",
    r"\b(?:besoin d'une?|envoy\w*|transmett\w*)(?:\s+\w+){0,3}?\s+(?:proposition|contrat|projet de contrat)\b",
    r"\b(?:prêts?|prêtes?) à (?:acheter|signer|commander)\b",
    r"\b(?:voulons|souhaitons|allons) (?:acheter|signer|commander)\b",
    r"\bbudget (?:est |a été )?(?:validé|approuvé)\b",
    # Portuguese
    r"\b(?:enviar|mandar|manda|preciso|precisamos|quero|queremos)(?:\s+\w+){0,3}?\s+"
    r"(?:uma\s+|um\s+|o\s+|a\s+)?(?:cotação|proposta|contrato|pedido de compra|orçamento)\b",
    r"\bpedidos? de compra\b", r"\b(?:prontos?|prontas?) para (?:comprar|assinar|fechar)\b",
    r"\b(?:queremos|vamos) (?:comprar|assinar|fechar|contratar)\b",
    r"\borçamento (?:está |já está )?aprovado\b",
)  # fmt: skip
# "<number> seats" ... with a date soon: a purchase being sized (regular expressions).
QUANTITY_PATTERN = (
    r"\b\d[\d,.]*\s*k?\s+(?:seats?|licen[cs]es?|users?|employees|staff|people|rooms?|stores?|"
    r"locations?|sites?|devices?|units?|vehicles?|trucks?|clinics?|agents?|laptops?|"
    r"asientos|licencias|usuarios|empleados|salas|tiendas|dispositivos|equipos|unidades|camiones|"
    r"lizenzen|nutzer|benutzer|mitarbeiter\w*|räume|geräte|fahrzeuge|"
    r"licences|utilisateurs|postes|salariés|salles|magasins|appareils|véhicules|"
    r"licenças|usuários|funcionários|lojas|aparelhos|veículos)\b"
)
SOON_PATTERNS = (
    r"\b(?:this|next|coming)\s+(?:week|month|quarter)\b", r"\bby\s+(?:the\s+)?(?:end of|eo[mqw]\b)",
    r"\bby\s+(?:monday|tuesday|wednesday|thursday|friday|tomorrow|the \d+\w*)\b",
    r"\bbefore\s+(?:the|our|\d)", r"\b(?:in|within)\s+\d+\s+(?:days|weeks)\b", r"\basap\b",
    r"\b(?:next|this|on)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    r"\btomorrow\s+(?:morning|afternoon|works)\b", r"\btoday,?\s+(?:please|if possible)\b",
    r"\bstarting\s+(?:next|this|on|in)\b", r"\bdue\s+(?:by|on|in|before)\b",
    r"\b(?:esta|la próxima)\s+semana\b", r"\b(?:este|el próximo)\s+mes\b", r"\bantes del?\b",
    r"\b(?:diese|nächste)\s+woche\b", r"\b(?:diesen|nächsten)\s+monat\b", r"\bbis\s+(?:zum|ende|freitag)\b",
    r"\bcette\s+semaine\b", r"\bla semaine prochaine\b", r"\bce mois-ci\b", r"\ble mois prochain\b",
    r"\bavant le\b", r"\bd'ici\b", r"\best prévue? (?:le|pour)\b",
    r"\besta semana\b", r"\bsemana que vem\b", r"\bpróxima semana\b", r"\beste mês\b",
    r"\bmês que vem\b", r"\bpróximo mês\b", r"\baté (?:o|a|dia)\b", r"\bantes do\b",
)  # fmt: skip

# --- wanting it later: at most warm ----------------------------------------------------------

DEFERRAL_PATTERNS = (
    # (not "no rush on the demo": that defers the demo, not the purchase)
    r"\bno\s+(?:rush|hurry)\b(?!\s+on\s+(?:the|a|an)\b)", r"\bnot\s+(?:in\s+a\s+)?(?:rush|hurry|urgent)\b",
    r"\bnot\s+ready\b", r"\bnot\s+(?:yet|now|right now|at the moment|this year)\b",
    r"\b(?:early|initial)\s+(?:research|stage|stages|days)\b",
    r"\bjust\s+(?:researching|looking|browsing|exploring|gathering|curious about options)\b",
    r"\b(?:gathering|collecting|exploring)\s+(?:info|information|options|quotes)\b",
    r"\bdown the road\b", r"\bat some point\b", r"\bsome ?day\b", r"\blater (?:this|next) year\b",
    r"\bnext year\b", r"\bin (?:a|a couple of|a few|few|some|\d+) months\b", r"\bmaybe later\b",
    r"^\W*(?:later|not now|not yet|maybe later)\W*$",
    r"\b(?:reach out|get back to (?:me|us)|contact (?:me|us)|follow up|check back|circle back|"
    r"talk again)\s+(?:in|around|after|next|early|late|once)\s+(?:a few |a couple of |\d+ |the )?"
    r"(?:weeks|months|year|quarter|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|q[1-4]|spring|summer|autumn|fall|winter|new year|the project|we)\b",
    r"\bbudget\s+(?:only\s+)?(?:opens|frees up|becomes available|resets|renews)\b",
    r"\bfor future reference\b",
    r"\buntil next\b", r"\bnot until\b", r"\bdecide\s+(?:later|next (?:year|quarter)|towards|by the end of the year)\b",
    r"\b(?:rfp|tender|evaluation)\s+(?:in|around|next|early|late)\b",
    r"\bmás adelante\b", r"\bel (?:año que viene|próximo año)\b", r"\b(?:sin|no hay) prisa\b",
    r"\bsolo (?:estamos )?(?:mirando|explorando|informándonos)\b", r"\bpor ahora no\b",
    r"\bspäter\b", r"\bnächstes jahr\b", r"\bkeine eile\b", r"\bnicht eilig\b", r"\bnoch nicht (?:bereit|so weit|entschieden)\b",
    r"\bvorerst nicht\b", r"\bnur (?:informieren|umschauen|umsehen)\b", r"\berst (?:im|nächstes|ende|ab)\b",
    r"\bplus tard\b", r"\bl'année prochaine\b", r"\bpas pressés?\b", r"\brien ne presse\b",
    r"\bpas encore (?:prêts?|décidés?)\b", r"\b(?:on se|nous nous) renseign\w*\b", r"\bpour l'instant,? (?:on|nous) (?:regard|compar|renseign)\w*\b",
    r"\bmais (?:pra|para) frente\b", r"\bmais tarde\b", r"\b(?:ano que vem|próximo ano)\b",
    r"\bsem pressa\b", r"\bsó (?:estamos )?(?:levantando|pesquisando|olhando)\b",
    r"\bpor enquanto,? (?:só|estamos só)\b", r"\bainda não (?:estamos prontos|decidimos)\b", r"\bfim do ano\b",
)  # fmt: skip

# --- saying no: at most cold unless they still take a buying step ---------------------------

REJECTION_PATTERNS = (
    r"\btoo\s+(?:expensive|pricey|costly|steep|rich)\b", r"\bcan(?:'t|not)\s+afford\b",
    r"\b(?:out of|over|beyond)\s+(?:our|my)\s+(?:budget|price range)\b",
    r"\b(?:we'll|we will|i'll|i will|going to|gonna)\s+(?:stick|stay|keep going)\s+with\b",
    r"\b(?:we'll|we will|i'll|i will)\s+keep\s+(?:doing|using)\b",
    r"\b(?:signed|went|gone|going|go)\s+with\s+(?:another|a different|other|a competitor|someone else)\b(?!\s+\w+\s+(?:instead of|than))",
    r"\b(?:chose|picked|selected|decided on)\s+(?:another|a different|a competitor)\b",
    r"\bnot\s+interested\b", r"\bno longer interested\b", r"\bwe'll pass\b", r"\bnot for us\b",
    r"\bdecided against\b", r"\bno budget\b",
    r"\b(?:we|we've|we have|we just|we already)\s+(?:signed|went|gone)\s+with\b",
    r"\btake (?:me|us) off\b", r"\bstop (?:emailing|contacting|calling|messaging)\b",
    r"\b(?:muy|demasiado)\s+caro\b", r"\bno nos interesa\b", r"\b(?:elegimos|firmamos con) otro proveedor\b",
    r"\bzu teuer\b", r"\bkein interesse\b", r"\bfür einen anderen anbieter entschieden\b",
    r"\btrop cher\b", r"\bpas intéressés?\b", r"\b(?:choisi|signé avec) un autre (?:fournisseur|prestataire)\b",
    r"\b(?:muito caro|caro demais)\b", r"\bnão (?:temos|tenho) interesse\b", r"\b(?:escolhemos|fechamos com) outro fornecedor\b",
)  # fmt: skip

# --- people who are not buyers: cold, with the reason named (regular expressions) -----------

NON_BUYERS = {
    "student": (
        "a student or researcher",
        "No sales follow-up: point them to public material (case studies, the pricing page)",
        (
            r"\b(?:i'm|i am|we're|we are)\s+(?:a\s+|an\s+)?(?:[\w-]+\s+){0,3}?(?:student|researcher|phd candidate|professor)s?\b",
            r"\b(?:my|our)\s+(?:[\w-]+'?s?\s+)?(?:thesis|dissertation|coursework|homework|term paper|school project|class project|group project)\b",
            r"\b(?:class|school|course|group)\s+(?:assignment|project)\b", r"\b(?:just|only|it's|it is)\s+(?:for\s+)?school\b",
            r"\bwriting\s+(?:a|my|our)\s+(?:paper|report|essay|case study)\s+(?:on|about|for)\b",
            r"\bfor\s+(?:my|our|a)\s+(?:class|course|seminar|assignment|research project|thesis|dissertation)\b",
            r"\b(?:business|grad|graduate)\s+school\b", r"\bacademic\s+(?:research|study|paper)\b",
            r"\b(?:i'm|i am)\s+(?:a\s+[1-3]l|in\s+(?:law|medical)\s+school)\b", r"\b(?:my|a)\s+law review\b",
            r"\bwriting\s+(?:my|our)\s+(?:law review\s+|seminar\s+|term\s+|research\s+)?"
            r"(?:note|paper|thesis|dissertation|essay)\b",
            # information for its own sake: a file of prices, nobody buying behind it
            r"\bin case it ever comes up\b", r"\bnone of my clients (?:has|have) asked\b",
            r"\b(?:soy|somos)\s+estudiantes?\b", r"\bmi\s+(?:tesis|trabajo de fin de \w+)\b",
            r"\b(?:ich bin|wir sind)\s+(?:\w+\s+)?student\w*\b", r"\b(?:meine|unsere)\s+(?:abschlussarbeit|masterarbeit|bachelorarbeit|hausarbeit)\b",
            r"\b(?:je suis|nous sommes)\s+(?:\w+\s+)?étudiant\w*\b", r"\b(?:mon|ma)\s+(?:mémoire|thèse)\b",
            r"\b(?:sou|somos)\s+estudantes?\b", r"\b(?:minha|meu)\s+(?:tese|tcc)\b",
        ),
    ),
    "job_applicant": (
        "a job seeker",
        "Forward to recruiting: no sales follow-up",
        (
            r"\b(?:are you|is \w+)\s+hiring\b",
            r"\b(?:job|role|position)\s+(?:opening|openings|posting|ad|advert)\b", r"\bopen\s+(?:roles|positions)\b",
            r"\b(?:apply|applied|applying)\s+for\s+(?:the|a|this|that|your)\s+(?:\w+\s+){0,3}?(?:job|role|position|opening)\b",
            r"\bmy\s+(?:resume|résumé|cv|application)\b", r"\binternship\b", r"\bcareers?\s+page\b",
            r"\blooking for (?:a )?(?:job|work)\b",
            r"\b(?:empleo|vacante|currículum)\b", r"\b(?:stellenangebot|bewerbung|bewerben)\b",
            r"\b(?:candidature|offre d'emploi|postuler)\b", r"\b(?:vaga de emprego|currículo|candidatar)\b",
        ),
    ),
    "journalist": (
        "press",
        "Forward to communications: a press enquiry, no sales follow-up",
        (
            r"\b(?:reporter|journalist|correspondent)\b", r"\beditor\s+(?:at|of)\b", r"\b(?:i'm|i am)\s+(?:an?\s+|the\s+)?editor\b",
            r"\b(?:writing|running|doing|researching)\s+(?:a|an)\s+(?:story|piece|article|feature|column)\s+(?:on|about)\b",
            r"\bfor\s+(?:the|my|our)\s+(?:article|story|piece|column)\b", r"\bi\s+write\s+(?:for|the)\b",
            r"\bfor\s+(?:a|an|our)\s+(?:\w+\s+)?(?:publication|magazine|newspaper|podcast|outlet)\b",
            r"\b(?:press|media)\s+(?:inquiry|enquiry|request)\b", r"\b(?:get|give me|for)\s+(?:a\s+)?comment\s+(?:on|from|about)\b",
            r"\bon the record\b", r"\b(?:periodista|reportero|entrevista para)\b",
            r"\b(?:journalist\w*|redakteur\w*|presseanfrage)\b", r"\bjournaliste\b",
            r"\b(?:jornalista|reportagem)\b",
        ),
    ),
    "vendor": (
        "a vendor pitching its own services",
        "No sales follow-up: a vendor solicitation (forward to purchasing if of interest)",
        (
            r"\bwho\s+(?:handles|is in charge of|manages|runs|heads|leads)\s+(?:your\s+|the\s+)?"
            r"(?:marketing|seo|ads|website|growth|demand gen\w*|lead gen\w*)\b",
            r"\b(?:help|helping)\s+you\s+(?:book|grow|generate|increase|boost|rank|scale|win)\b",
            r"\b(?:we|our team)\s+(?:book|deliver|drive)\s+(?:\d+\+?\s+)?(?:qualified\s+)?(?:demos|meetings|appointments)\b",
            r"\b(?:companies|brands|businesses|teams) like yours\b", r"\bgrowing your\b",
            r"\bour\s+(?:deck|brochure|media kit|rate card|capabilities)\b",
            r"\byour\s+(?:vp|head|director|chief)\s+(?:of\s+)?(?:marketing|sales|growth)'?s?\s+(?:email|contact|calendar)\b",
            r"\byour\s+(?:marketing|sales|growth|it)\s+(?:lead|team|manager|director|head)'?s?\s+(?:email|contact|details)\b",
            r"\bwe\s+noticed\s+(?:that\s+)?(?:your|you)\b",
            r"\bfree\s+(?:audit|assessment of your|sample)\b",
            r"\bwe(?:'ve| have)\s+helped\s+(?:\w+\s+){0,3}(?:companies|brands|businesses|clients|startups)\b",
            r"\b(?:our|my)\s+(?:agency|firm)'?s?\s+(?:services|offer|case study)\b",
            r"\bwould you be (?:interested|open) (?:in|to) (?:our|a call about our)\b",
            r"\bwe (?:offer|provide|sell)\s+(?:\w+\s+){0,3}(?:services|solutions)\s+(?:to|for)\s+(?:companies|businesses|saas)\b",
        ),
    ),
    "competitor": (
        "a competitor",
        "No sales follow-up: a competitor gathering information",
        (
            r"\b(?:i|we)\s+(?:work|am|are)\s+(?:at|for|with)?\s*(?:a|your)\s+competitor\b",
            r"\b(?:i'm|we're)\s+(?:a|your)\s+competitor\b", r"\bas\s+(?:a|your)\s+competitor\b",
            r"\bcompetitive\s+(?:\w+\s+)?(?:analysis|research|intel\w*|benchmark\w*|teardown)\b",
            r"\binternal\s+(?:price|pricing)\s+(?:sheets?|lists?)\b",
            r"\b(?:we|i)\s+(?:also\s+)?(?:build|make|sell|offer|run|develop|work on)\s+(?:a\s+|an\s+)?"
            r"(?:similar|competing|comparable|rival)\b",
            r"\b(?:similar|competing|rival)\s+(?:product|tool|platform|service)\s+(?:to yours|ourselves)\b",
            r"\bbenchmark(?:ing)?\s+(?:your|against)\b", r"\bhow\s+(?:do|does)\s+you(?:r \w+)?\s+compare\s+to\s+(?:ours|us)\b",
        ),
    ),
    "support": (
        "an existing customer with a support or billing issue",
        "Route to customer support (or billing) today: no sales follow-up",
        (
            r"\b(?:charged|billed)\s+(?:us\s+|me\s+)?(?:twice|double|two times|incorrectly|wrong)\b",
            r"\bdouble[- ]?(?:charge|charged|billing)\b", r"\bovercharg\w+\b",
            r"\b(?:want|need|expect|request|get|demand)\s+(?:a|my|our|the)?\s*refund\b", r"\brefunded\b",
            r"\b(?:can't|cannot|unable to)\s+(?:log ?in|sign ?in|access (?:my|our))\b", r"\blocked out\b",
            r"\bpassword reset\b", r"\b(?:support|help)\s+ticket\b",
            r"\b(?:invoice|bill)\s+is\s+wrong\b", r"\bwrong\s+(?:invoice|amount|charge)\b",
            r"\byour\s+(?:\w+\s+){0,2}(?:is|are|keeps?|has been|has|have)\s+(?:down|broken|crashing|not working|stopped)\b",
            r"\b(?:expect|want|need)\s+a\s+credit\b(?!\s+card)", r"\b(?:isn't|is not|get this|gets?)\s+fixed\b",
            r"\b(?:want|going|need|i'll|we'll|i'm|we're)\s+(?:to\s+)?cancel\w*\s+(?:all|our|my)\s+(?:\d+\s+)?"
            r"(?:seats|licen[cs]es|subscription|account|plan)\b(?!\s+(?:with|at)\b)",
            r"\b(?:reembolso|cobro duplicado)\b", r"\b(?:rückerstattung|doppelt abgebucht)\b",
            r"\b(?:remboursement|facturé deux fois)\b", r"\bcobrado duas vezes\b",
        ),
    ),
    "personal": (
        "a consumer or hobbyist, for personal use",
        "No sales follow-up: point them to self-serve or retail",
        (
            r"\b(?:just|only)\s+me\b(?=\s*(?:[.,!?;]|$|here|lol|and\b))", r"\bno team\b", r"\bhobby\w*\b",
            r"\b(?:teaching|learning)\s+(?:it\s+)?(?:myself|on my own)\b", r"\bself-taught\b", r"\bportfolio project\b",
            r"\bpersonal\s+(?:use|project|stuff|to-?dos?)\b", r"\bfor\s+(?:myself|my own use|fun)\b",
            r"\bfor\s+my\s+(?:bedroom|apartment|flat|house|dorm|living room|garage|gaming)\b",
            r"\bhome\s+(?:server|lab|network)\b", r"\bside project\b",
            r"\b(?:grab|buy|get|order)\s+(?:one|it)\s+(?:on|from|at)\s+(?:a|the|my)?\s*(?:retailer|store|shop|\w+\.com)\b",
            r"\b(?:uso personal|para mi casa)\b", r"\b(?:privatgebrauch|privatperson|für mich selbst)\b",
            r"\b(?:usage personnel|pour ma maison)\b", r"\b(?:uso pessoal|para minha casa)\b",
        ),
    ),
    "spam": (
        "spam",
        "No follow-up: spam",
        (
            r"\b(?:crypto|bitcoin|casino|viagra|loan offer|forex|backlinks?|seo services cheap)\b",
            r"\b(?:click here|limited offer|act now|earn \$|make money|guaranteed (?:traffic|ranking|returns))\b",
        ),
    ),
}  # fmt: skip

# A partner or reseller: worth the partnerships team's time, not a direct sale (regex).
PARTNER_PATTERNS = (
    r"\bresell\w*\b",
    r"\b(?:partner|partnership|affiliate|referral|agency|channel|msp|var|reseller)\s+program\w*\b",
    r"\bmanaged service provider\b", r"\bmsp\b",
    r"\bwhite[- ]?label\w*\b", r"\bbecome\s+(?:a|your)\s+partner\b", r"\bchannel\s+partner\b",
    r"\b(?:revendedor|distribuidor|programa de socios)\b", r"\b(?:wiederverkäufer|partnerprogramm)\b",
    r"\b(?:revendeur|programme partenaire)\b", r"\b(?:revendedor|programa de parceiros)\b",
)  # fmt: skip

# Contact details the visitor gave (regular expressions).
EMAIL_PATTERN = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
PHONE_PATTERN = r"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)"

# --- BANT: who decides, what they need (regular expressions) --------------------------------

AUTHORITY_PATTERNS = (
    r"\b(?:i'm|i am|i lead|i run|i head|i manage|i own)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,3}?"
    r"(?:head|director|manager|vp|vice president|chief|cto|ceo|cfo|coo|cio|founder|owner|"
    r"officer|procurement|purchasing)\b[^.,;!?]*",
    r"\b(?:i'm|i am)\s+in\s+(?:procurement|purchasing|it|finance)\b",
    r"\bmy\s+(?:boss|manager|director|vp|cfo|ceo)\b[^.,;!?]*",
    r"\b(?:our leadership|the board|our (?:vp|cfo|ceo|cto|director))\b[^.,;!?]*",
    r"\b(?:responsable|directeur|directrice|gerente|director|directora|diretor|diretora|"
    r"leiter\w*|geschäftsführer\w*|einkauf)\b[^.,;!?]*",
)  # fmt: skip
NEED_PATTERNS = (
    r"\b(?:we|i)\s+(?:really\s+)?(?:need|want|have to|must|require)\b[^.;!?]*",
    r"\b(?:looking for|requirements?|frustrat\w+|pain|problem|replace|switch(?:ing)? from|"
    r"migrat\w+|not renewing)\b[^.;!?]*",
    r"\b(?:necesitamos|buscamos|queremos)\b[^.;!?]*", r"\b(?:wir brauchen|wir suchen|wir benötigen)\b[^.;!?]*",
    r"\b(?:nous avons besoin|nous cherchons)\b[^.;!?]*", r"\b(?:precisamos|procuramos)\b[^.;!?]*",
)  # fmt: skip
MONEY_PATTERN = (
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|mil|million|thousand)?\b|\b\d[\d,.]*\s?(?:k|m)?\s?"
    r"(?:dollars|usd|euros?|eur|pounds|gbp|reais|brl)\b|\b\d[\d,.]*k\b(?=[^.]*\bbudget\b))"
)
TIMEFRAME_PATTERNS = (
    *SOON_PATTERNS,
    r"\b(?:january|february|march|april|june|july|august|september|october|november|december)\b",
    r"\bmay\s+\d|\d+(?:st|nd|rd|th)?\s+(?:of\s+)?may\b",
    r"\b(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b",
    r"\b(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\b",
    r"\b(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b",
    r"\b(?:janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro)\b",
    r"\bq[1-4]\b", r"\b(?:next|this)\s+(?:year|quarter|month|week)\b", r"\bend of (?:the )?(?:year|month|quarter)\b",
    r"\bfiscal year\b", r"\b\d+\s+(?:days|weeks|months)\b",
)  # fmt: skip

# A short yes, which accepts what the bot just offered (regex).
AFFIRMATIVE_PATTERN = (
    r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|please|sounds good|perfect|great|go ahead|"
    r"sí|si|claro|vale|dale|ja|gerne|genau|oui|d'accord|volontiers|sim|pode ser|com certeza)\b"
)
# What a bot may offer that, accepted, is a buying step: an offer ("would you like…",
# "shall I…") of a quote or of a call with sales (regular expressions).
BOT_OFFER_PATTERNS = (
    r"\b(?:would you like|shall i|should i|want me to|can i|may i|happy to|i can)\b[^?.!]*"
    r"\b(?:"
    + _QUOTE_WORDS[3:-1]
    + r"|call with|call you|give you a call|ring you|contact you|get in touch)\b",
    r"\b(?:möchten sie|soll ich|ich kann ihnen|voulez-vous|souhaitez-vous|puis-je|"
    r"le gustaría|quiere que|quer que|gostaria)\b[^?.!]*\b(?:angebot|devis|proposition|"
    r"cotización|presupuesto|cotação|orçamento|proposta|appel|anruf|llamada|ligação)\b",
)
