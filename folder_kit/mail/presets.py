"""The mail providers a salesperson in China most likely uses, by a short name for
``mail add --host``: where their IMAP server is, and what password it wants.

Most of them refuse the web-mail login password over IMAP: they want a client
password (授权码, 客户端专用密码) generated in the web mail's settings, and say
only "login failed" when given the other one. Each preset's note says where to
get it, and ``mail add`` shows it. A name that is no preset is a host name.
"""

from __future__ import annotations

from dataclasses import dataclass

from folder_kit.workspace.config import Security


@dataclass(frozen=True)
class Preset:
    name: str  # what --host takes
    provider: str  # the provider's name, as its users know it
    host: str
    note: str  # what password it wants, and where to get it
    port: int | None = None  # None: the security's usual port (993 for ssl)
    security: Security = "ssl"
    aliases: tuple[str, ...] = ()


# One line per provider; a name people also write another way is an alias.
PRESETS: tuple[Preset, ...] = (
    Preset(
        "exmail",
        "Tencent Exmail (腾讯企业邮)",
        "imap.exmail.qq.com",
        "with 安全登录 or WeChat binding on, use a client password (客户端专用密码): "
        "web mail > 设置 > 账户 > 账户安全 > 客户端专用密码; IMAP must be on under "
        "设置 > 客户端设置",
        aliases=("qq-exmail", "tencent-exmail"),
    ),
    Preset(
        "qq",
        "QQ Mail (QQ邮箱)",
        "imap.qq.com",
        "use an authorisation code (授权码), not the QQ password: web mail > 设置 > "
        "账号 (账号与安全) > POP3/IMAP/SMTP服务 > 开启 IMAP, then 生成授权码",
        aliases=("foxmail",),
    ),
    Preset(
        "163",
        "NetEase 163 Mail (网易163邮箱)",
        "imap.163.com",
        "use an authorisation code (授权码), not the login password: web mail > 设置 > "
        "POP3/SMTP/IMAP > 开启 IMAP/SMTP服务, then 新增授权密码",
    ),
    Preset(
        "126",
        "NetEase 126 Mail (网易126邮箱)",
        "imap.126.com",
        "use an authorisation code (授权码), not the login password: web mail > 设置 > "
        "POP3/SMTP/IMAP > 开启 IMAP/SMTP服务, then 新增授权密码",
    ),
    Preset(
        "qiye163",
        "NetEase enterprise mail (网易企业邮箱)",
        "imap.qiye.163.com",
        "where your administrator requires it, use a client authorisation password "
        "(客户端授权密码): web mail > 设置 > 客户端设置 (or 安全设置) > 客户端授权密码; "
        "else the login password",
        aliases=("163qiye", "qiye.163"),
    ),
    Preset(
        "aliyun",
        "Alibaba enterprise mail (阿里企业邮箱)",
        "imap.qiye.aliyun.com",
        "where your administrator turned on third-party client passwords, use one "
        "(三方客户端安全密码): web mail > 设置 > 账户与安全 > 三方客户端安全密码; "
        "else the login password",
        aliases=("alimail", "aliyun-qiye"),
    ),
    Preset(
        "aliyun-personal",
        "Aliyun personal mail (阿里邮箱个人版, @aliyun.com)",
        "imap.aliyun.com",
        "turn IMAP on first: web mail > 设置 > POP3/SMTP/IMAP; the password is the login password",
    ),
    Preset(
        "gmail",
        "Gmail",
        "imap.gmail.com",
        "use an app password: turn on 2-Step Verification, then Google Account > "
        "Security > 2-Step Verification > App passwords (myaccount.google.com/apppasswords)",
        aliases=("googlemail",),
    ),
    Preset(
        "outlook",
        "Outlook.com / Microsoft 365",
        "outlook.office365.com",
        "Microsoft accepts a password over IMAP only where your administrator still allows "
        "it, or an app password (account.microsoft.com > Security > Advanced security "
        "options > App passwords, with two-step verification on)",
        aliases=("office365", "hotmail"),
    ),
)

_BY_NAME: dict[str, Preset] = {
    name: preset for preset in PRESETS for name in (preset.name, *preset.aliases)
}
_BY_HOST: dict[str, Preset] = {preset.host: preset for preset in PRESETS}


def preset_named(name: str) -> Preset | None:
    """The preset ``--host name`` stands for (any case), or None: then it is a host."""
    return _BY_NAME.get(name.strip().lower())


def preset_of_host(host: str) -> Preset | None:
    """The preset whose server ``host`` is, for its note (a host typed out in full)."""
    return _BY_HOST.get(host.strip().lower().rstrip("."))


def preset_for(host: str) -> Preset | None:
    """The preset ``--host`` names, by its short name or by its server's name."""
    return preset_named(host) or preset_of_host(host)
