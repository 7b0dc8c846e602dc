"""What customers and operators of a WebMoney-like support desk write, in Russian
and English: the raw material of `wmconsole demo`."""

from __future__ import annotations

from models import EscalationKind, Service, Status

SUBJECTS: dict[Service, dict[str, list[str]]] = {
    Service.keeper: {
        "ru": [
            "Не могу войти в Keeper",
            "Keeper WinPro не запускается",
            "Забыл пароль от Keeper Standard",
            "Ошибка при входе в Keeper Mobile",
            "Не приходит код подтверждения входа",
        ],
        "en": [
            "Cannot log in to Keeper",
            "Keeper WinPro does not start",
            "Forgot my Keeper Standard password",
            "Login error in Keeper Mobile",
        ],
    },
    Service.enum: {
        "ru": [
            "Не приходит SMS с кодом",
            "E-NUM не присылает код подтверждения",
            "Сменил телефон, нет доступа к E-NUM",
        ],
        "en": ["SMS code never arrives", "E-NUM confirmation code missing"],
    },
    Service.check: {
        "ru": ["Не могу пополнить WebMoney Check", "Вопрос по лимитам Check"],
        "en": ["Cannot top up WebMoney Check", "Check limits question"],
    },
    Service.attestation: {
        "ru": [
            "Как получить формальный аттестат",
            "Проверка паспортных данных затянулась",
            "Отказ в выдаче начального аттестата",
        ],
        "en": ["How to get a formal certificate", "Passport verification is taking too long"],
    },
    Service.merchant: {
        "ru": ["Не проходит оплата на сайте магазина", "Настройка Merchant Interface"],
        "en": ["Payment on my shop does not go through", "Merchant Interface setup"],
    },
    Service.transfers: {
        "ru": [
            "Платёж не дошёл до получателя",
            "Перевод завис, деньги списаны",
            "Не зачислено пополнение с карты",
            "Платёж не проходит",
        ],
        "en": [
            "Payment not delivered",
            "Transfer stuck, money debited",
            "Card top-up not credited",
        ],
    },
    Service.exchange: {
        "ru": ["Заявка на бирже не исполняется", "Обмен WMZ на WME завис"],
        "en": ["Exchange bid not executed", "WMZ to WME exchange stuck"],
    },
    Service.credit: {
        "ru": ["Не могу вернуть кредит", "Вопрос по кредитной бирже"],
        "en": ["Cannot repay a credit", "Credit exchange question"],
    },
    Service.debt: {
        "ru": ["Долг не погашается автоматически", "Ошибка в сервисе Debt"],
        "en": ["Debt is not repaid automatically", "Error in the debt service"],
    },
    Service.cards: {
        "ru": [
            "Привязана чужая карта",
            "Моя карта заблокирована без моего ведома",
            "Списание с карты, которую я не привязывал",
        ],
        "en": ["Someone else's card is linked", "My card was blocked without my knowledge"],
    },
    Service.arbitration: {
        "ru": ["Претензия к продавцу", "Продавец не выполнил условия сделки"],
        "en": ["Claim against a seller", "Seller did not keep the deal"],
    },
    Service.contracts: {
        "ru": ["Регистрация договора", "Как зарегистрировать договор займа"],
        "en": ["Contract registration", "How to register a loan contract"],
    },
    Service.personal_data: {
        "ru": [
            "Смена номера телефона",
            "Изменить e-mail в аттестате",
            "Обновить паспортные данные",
        ],
        "en": ["Change my phone number", "Update the e-mail in my certificate"],
    },
    Service.security: {
        "ru": [
            "Попытка взлома аккаунта",
            "Доступ к кошельку заблокирован",
            "С моего кошелька ушли деньги, я их не отправлял",
        ],
        "en": [
            "Someone tried to break into my account",
            "Access to my purse is blocked",
            "Money left my purse, I did not send it",
        ],
    },
    Service.other: {
        "ru": ["Вопрос", "Предложение по улучшению сервиса", "Не знаю, куда обратиться"],
        "en": ["A question", "Suggestion for the service", "Not sure where to ask"],
    },
}

OPENINGS = {
    "ru": [
        "Здравствуйте.",
        "Добрый день!",
        "Здравствуйте, служба поддержки.",
        "Помогите, пожалуйста.",
    ],
    "en": ["Hello,", "Good afternoon,", "Hi support,", "Please help."],
}

PROBLEMS: dict[Service, dict[str, list[str]]] = {
    Service.keeper: {
        "ru": [
            "При запуске Keeper пишет «неверный пароль», хотя я ввожу правильный.",
            "После обновления Windows программа закрывается сразу после запуска.",
            "Не могу восстановить доступ, файл ключей потерян.",
        ],
        "en": [
            "Keeper says my password is wrong although I type the right one.",
            "After a Windows update the program closes right after it starts.",
            "I lost the key file and cannot restore access.",
        ],
    },
    Service.enum: {
        "ru": [
            "Код подтверждения не приходит уже второй день.",
            "SMS приходят с опозданием на час.",
        ],
        "en": ["The confirmation code has not come for two days.", "SMS arrive an hour late."],
    },
    Service.transfers: {
        "ru": [
            "Отправил {amount} WMZ на кошелёк {purse}, получатель говорит, что ничего не пришло.",
            "Деньги списались с карты, но на кошелёк {purse} не поступили.",
            "Перевод {amount} WMR висит в статусе «в обработке» со вчерашнего дня.",
        ],
        "en": [
            "I sent {amount} WMZ to purse {purse}; the payee says nothing arrived.",
            "The card was charged but purse {purse} was not credited.",
            "A transfer of {amount} WMZ has been 'processing' since yesterday.",
        ],
    },
    Service.security: {
        "ru": [
            "Сегодня с моего кошелька {purse} ушло {amount} WMZ, я этот платёж не делал.",
            "Пришло уведомление о входе с незнакомого IP.",
            "Мне написал «сотрудник поддержки» в мессенджере и попросил код из SMS.",
        ],
        "en": [
            "Today {amount} WMZ left my purse {purse}; I did not make that payment.",
            "I got a login notice from an unknown IP address.",
            "A 'support agent' messaged me and asked for my SMS code.",
        ],
    },
    Service.cards: {
        "ru": [
            "К моему WMID привязана карта, которую я не знаю.",
            "Карта заблокирована, причина не указана.",
        ],
        "en": [
            "A card I do not know is linked to my WMID.",
            "My card is blocked with no reason given.",
        ],
    },
    Service.arbitration: {
        "ru": [
            "Оплатил товар {amount} WMZ, продавец пропал.",
            "Исполнитель не выполнил работу по договору.",
        ],
        "en": [
            "I paid {amount} WMZ for goods and the seller vanished.",
            "The contractor did not do the work.",
        ],
    },
}

GENERIC_PROBLEMS = {
    "ru": [
        "Подскажите, пожалуйста, что делать в этой ситуации.",
        "Уже пробовал перезагрузить компьютер и сменить браузер, не помогает.",
        "Прошу разобраться как можно скорее.",
    ],
    "en": [
        "Please tell me what to do.",
        "I already tried another browser and a restart; nothing helps.",
        "Please look into this as soon as you can.",
    ],
}

SIGNATURES = {
    "ru": ["Спасибо.", "С уважением, {name}", "Жду ответа."],
    "en": ["Thanks.", "Regards, {name}", "Waiting for your answer."],
}

FOLLOW_UPS = {
    "ru": [
        "Сделал, как вы сказали, но проблема осталась.",
        "Прикладываю скриншот ошибки.",
        "Спасибо, всё заработало!",
        "Когда будет ответ? Прошло уже два дня.",
        "Номер операции: {op}.",
    ],
    "en": [
        "I did what you said, but the problem is still there.",
        "Attaching a screenshot of the error.",
        "Thank you, it works now!",
        "When will you answer? It has been two days.",
        "The operation number is {op}.",
    ],
}

OPERATOR_REPLIES = {
    "ru": [
        "Здравствуйте! Проверили операцию {op}: платёж выполнен успешно, средства зачислены получателю.",
        "Здравствуйте! Для восстановления доступа воспользуйтесь сервисом восстановления на сайте и приложите скан паспорта.",
        "Здравствуйте! Уточните, пожалуйста, номер кошелька и точное время операции.",
        "Здравствуйте! Вопрос передан в профильный отдел, ответим в течение суток.",
        "Здравствуйте! Никогда не сообщайте коды из SMS третьим лицам: сотрудники поддержки их не запрашивают.",
    ],
    "en": [
        "Hello! We checked operation {op}: the payment went through and the payee was credited.",
        "Hello! To restore access, use the recovery service on the site and attach a passport scan.",
        "Hello! Please tell us the purse number and the exact time of the operation.",
        "Hello! Your question went to the department in charge; we will answer within a day.",
        "Hello! Never give SMS codes to anyone: support staff never ask for them.",
    ],
}

NOTES = [
    "Проверил по логам: вход с IP 185.22.x.x, похоже на фишинг.",
    "Клиент звонил на горячую линию, обращение {op}.",
    "Передал в отдел безопасности.",
    "Checked the logs: payment reached the payee at 14:02.",
    "Duplicate of an earlier ticket from the same customer.",
]

FIRST_NAMES = {
    "ru": [
        "Алексей",
        "Ирина",
        "Дмитрий",
        "Наталья",
        "Сергей",
        "Ольга",
        "Андрей",
        "Екатерина",
        "Павел",
        "Мария",
        "Виктор",
        "Юлия",
        "Николай",
        "Татьяна",
        "Игорь",
        "Светлана",
    ],
    "en": ["John", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia"],
}
LAST_NAMES = {
    "ru": [
        "Иванов",
        "Смирнов",
        "Кузнецов",
        "Попов",
        "Васильев",
        "Петров",
        "Соколов",
        "Михайлов",
        "Новиков",
        "Фёдоров",
        "Морозов",
        "Волков",
    ],
    "en": ["Smith", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Nguyen", "Kowalski"],
}
MAIL_DOMAINS = [
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "inbox.ru",
    "ukr.net",
    "bk.ru",
    "list.ru",
    "outlook.com",
    "rambler.ru",
    "tut.by",
]
TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)

ESCALATION_REASONS = {
    "fraud": [
        "Деньги выманили обманом через мессенджер",
        "Fake seller took the money",
        "Фишинговый сайт под видом WebMoney",
    ],
    "wmid_block": [
        "Мошенник получил оплату, клиент позвонил на горячую линию",
        "Fraudster's WMID must be blocked now",
    ],
    "hacking": ["Вход с чужого IP, смена пароля", "Password changed by someone else"],
    "arbitration": ["Спор с продавцом, передано в арбитраж", "Dispute over a deal"],
    "hotline": ["Звонок на горячую линию, обращение {op}", "Customer called the hotline, ref {op}"],
}

TEMPLATES: list[tuple[Service | None, str, str, str]] = [
    (None, "ru", "Приветствие", "Здравствуйте, {name}!\n\nСпасибо за обращение {ticket}.\n\n"),
    (
        None,
        "en",
        "Greeting",
        "Hello {name},\n\nThank you for contacting us about ticket {ticket}.\n\n",
    ),
    (
        None,
        "ru",
        "Нужны подробности",
        "Здравствуйте!\n\nУточните, пожалуйста, номер кошелька, "
        "сумму и точное время операции.\n\nС уважением, служба поддержки WebMoney",
    ),
    (
        None,
        "en",
        "Need details",
        "Hello,\n\nPlease tell us the purse number, the amount and the "
        "exact time of the operation.\n\nWebMoney support",
    ),
    (
        Service.keeper,
        "ru",
        "Восстановление доступа к Keeper",
        "Здравствуйте!\n\nДля восстановления доступа к WMID {wmid} воспользуйтесь сервисом "
        "https://recovery.wmtransfer.com и приложите скан паспорта.\n",
    ),
    (
        Service.keeper,
        "en",
        "Keeper access recovery",
        "Hello,\n\nTo restore access to WMID {wmid}, use https://recovery.wmtransfer.com and "
        "attach a passport scan.\n",
    ),
    (
        Service.enum,
        "ru",
        "Код E-NUM не приходит",
        "Здравствуйте!\n\nПроверьте, что номер телефона в E-NUM актуален: "
        "https://wiki.webmoney.ru/projects/webmoney/wiki/E-NUM\n",
    ),
    (
        Service.enum,
        "en",
        "E-NUM code missing",
        "Hello,\n\nPlease check that the phone number in E-NUM is current: "
        "https://wiki.webmoney.ru/projects/webmoney/wiki/E-NUM\n",
    ),
    (
        Service.transfers,
        "ru",
        "Платёж выполнен",
        "Здравствуйте!\n\nМы проверили платёж по обращению {ticket}: средства зачислены "
        "получателю. Уточните у него поступление.\n",
    ),
    (
        Service.transfers,
        "en",
        "Payment delivered",
        "Hello,\n\nWe checked the payment in ticket {ticket}: the payee was credited.\n",
    ),
    (
        Service.security,
        "ru",
        "Срочно: позвоните на горячую линию",
        "Здравствуйте!\n\nЕсли деньги выманили обманом, срочно позвоните на горячую линию "
        "+7 495 727-43-33 и сообщите номер обращения {ticket}. Никому не сообщайте коды из SMS.\n",
    ),
    (
        Service.security,
        "en",
        "Urgent: call the hotline",
        "Hello,\n\nIf money was taken by deception, call the hotline at once (+7 495 727-43-33) "
        "and quote ticket {ticket}. Never tell anyone your SMS codes.\n",
    ),
    (
        Service.attestation,
        "ru",
        "Проверка паспорта",
        "Здравствуйте!\n\nПаспортные данные на проверке, срок — до 3 рабочих дней: "
        "https://passport.webmoney.ru\n",
    ),
    (
        Service.attestation,
        "en",
        "Passport check",
        "Hello,\n\nYour passport data are being checked; this takes up to 3 working days.\n",
    ),
    (
        Service.arbitration,
        "ru",
        "Подача претензии",
        "Здравствуйте!\n\nПретензию к продавцу можно подать в арбитраж: https://arbitrage.webmoney.ru\n",
    ),
    (
        Service.arbitration,
        "en",
        "Filing a claim",
        "Hello,\n\nYou can file a claim against the seller at https://arbitrage.webmoney.ru\n",
    ),
]

# Macros: (service, language, title, text, status after, escalate, clear, note).
MACROS: list[
    tuple[
        Service | None,
        str,
        str,
        str,
        Status | None,
        EscalationKind | None,
        EscalationKind | None,
        str | None,
    ]
] = [
    (
        None,
        "ru",
        "Нужны подробности — ждём клиента",
        "Здравствуйте, {name}!\n\nУточните, пожалуйста, номер кошелька, сумму и точное время "
        "операции по обращению {ticket}.\n\nС уважением, служба поддержки WebMoney",
        None,
        None,
        None,
        None,
    ),
    (
        None,
        "en",
        "Need details — waiting for the customer",
        "Hello {name},\n\nPlease tell us the purse number, the amount and the exact time of "
        "the operation (ticket {ticket}).\n\nWebMoney support",
        None,
        None,
        None,
        None,
    ),
    (
        Service.security,
        "ru",
        "Взлом — передано в безопасность",
        "Здравствуйте, {name}!\n\nМы передали обращение {ticket} в службу безопасности. "
        "Смените пароль и не сообщайте никому коды E-NUM.\n",
        Status.on_hold,
        EscalationKind.hacking,
        None,
        "WMID {wmid}: передано в безопасность, ждём их решения",
    ),
    (
        Service.security,
        "en",
        "Hacking — passed to security",
        "Hello {name},\n\nWe have passed ticket {ticket} to our security team. Change your "
        "password and never share E-NUM codes.\n",
        Status.on_hold,
        EscalationKind.hacking,
        None,
        "WMID {wmid}: passed to security, waiting for their decision",
    ),
    (
        Service.transfers,
        "ru",
        "Платёж найден — закрыть",
        "Здравствуйте, {name}!\n\nПлатёж найден и зачислен получателю. Обращение {ticket} "
        "закрыто; если вопрос останется, просто ответьте на это письмо.\n",
        Status.archived,
        None,
        EscalationKind.hotline,
        None,
    ),
    (
        Service.transfers,
        "en",
        "Payment found — close",
        "Hello {name},\n\nThe payment was found and credited to the payee. Ticket {ticket} "
        "is closed; if anything remains, just reply to this message.\n",
        Status.archived,
        None,
        EscalationKind.hotline,
        None,
    ),
]

SCAM_MARKERS = [
    ("suppport", False, "look-alike support name with a doubled letter"),
    ("webmoneyy", False, "look-alike brand with a doubled letter"),
    (
        r"(?i)\b(whats\s?app|telegram|viber)\b.*\b(deal|сделк)",
        True,
        "offer to settle a deal over a messenger",
    ),
    (r"(?i)(cvv|cvc|код из sms|sms code)", True, "request for payment details or codes"),
]

HOSTILE_SUBJECTS = [
    "[bold red]URGENT[/bold red] [@click=app.quit]press here[/]",
    "Payment \x1b[2J\x1b[31mfailed\x1b]52;c;Y3VybCBldmlsLnNo\x07 help",
    "Refund for invoice \u202egpj.exe\u202c and [link=https://evil.example]this[/link]",
]
