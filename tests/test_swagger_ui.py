"""Every Swagger UI page in a real browser: headless Chromium (Debian's) driven by selenium and chromedriver.

Each page the landing page lists renders all of its API's operations from assets served by the mock itself
(no CDN: the browser is started with networking features off, and the tests have no internet), and "Try it
out", after Authorize where the API needs it, gets a 200 from the mock for one operation per API.
Skipped, with the reason, where chromium, chromedriver or selenium is missing.
"""

from __future__ import annotations

import json
import shutil
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromedriver are not installed (.ci/run installs them)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 30  # seconds an element may take to appear on a loaded 2-core machine (a bound, not a measurement)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.TemporaryDirectory(prefix="mockserver-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile.name}", "--window-size=1280,2000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


@pytest.fixture(scope="module")
def pages(mockserver_server):
    """The landing page's list of APIs (JSON), each with its Swagger UI and operations."""
    import urllib.request

    with urllib.request.urlopen(mockserver_server.url + "/", timeout=WAIT) as response:
        return {api["name"]: api for api in json.loads(response.read())["apis"]}


def wait(browser, condition):
    return WebDriverWait(browser, WAIT).until(condition)


def open_page(browser, url):
    browser.get(url)
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))


@pytest.mark.parametrize("api", ["catalog", "enterprise", "blendx", "oauth"])
def test_every_operation_renders(api, browser, pages, mockserver_server):
    page = pages[api]
    open_page(browser, mockserver_server.url + page["swagger_ui"])
    shown = sorted(
        f"{block.find_element(By.CSS_SELECTOR, '.opblock-summary-method').text} "
        f"{block.find_element(By.CSS_SELECTOR, '.opblock-summary-path').get_attribute('data-path')}"
        for block in browser.find_elements(By.CSS_SELECTOR, ".opblock"))
    base = page["base_url"].rstrip("/")
    assert shown == sorted(op.replace(base, "", 1) if base else op for op in page["operations"])
    # the assets came from the mock, not a CDN
    scripts = [s.get_attribute("src") for s in browser.find_elements(By.CSS_SELECTOR, "script[src]")]
    assert scripts and all(s.startswith(mockserver_server.url) for s in scripts), scripts
    # one server entry, never blank
    servers = [o.text for o in browser.find_elements(By.CSS_SELECTOR, ".servers select option")]
    assert servers and all(s.strip() for s in servers), servers


def authorize(browser, scheme: str, value: str):
    browser.find_element(By.CSS_SELECTOR, ".auth-wrapper .authorize").click()
    container = wait(browser, EC.presence_of_element_located(
        (By.XPATH, f"//div[contains(@class,'auth-container')][.//h4//code[normalize-space()='{scheme}']]")))
    container.find_element(By.CSS_SELECTOR, "input").send_keys(value)
    container.find_element(By.CSS_SELECTOR, "button.authorize").click()
    browser.find_element(By.CSS_SELECTOR, ".dialog-ux .close-modal").click()


def try_it_out(browser, method: str, path: str) -> tuple[str, str]:
    """Expand the operation, Try it out, Execute with its defaults; (status, body) of the live response."""
    block = browser.find_element(By.XPATH, f"//div[contains(@class,'opblock-{method}')]"
                                           f"[.//*[@data-path='{path}']]")
    block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait(browser, lambda _: block.find_elements(By.CSS_SELECTOR, ".try-out__btn"))[0].click()
    wait(browser, lambda _: block.find_elements(By.CSS_SELECTOR, ".execute"))[0].click()
    status = wait(browser, lambda _: block.find_elements(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status"))
    body = block.find_elements(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_description pre")
    return status[0].text.strip(), body[0].text if body else ""


# One operation per API: (page, Authorize scheme or None, method, path in the page, a key its 200 body has)
TRY_IT_OUT = [
    ("catalog", "jwt", "get", "/catalogs/", "results"),
    ("enterprise", "jwt", "get", "/v1/enterprise-catalogs", "results"),
    ("blendx", "actionsecret", "get", "/blendxapi/discovery/courses/", "courses"),
    ("blendx", None, "post", "/search/course_discovery/", "results"),
    ("oauth", None, "post", "/v1/access_token", "access_token"),
]


@pytest.mark.parametrize("api, scheme, method, path, key", TRY_IT_OUT, ids=[f"{t[0]} {t[3]}" for t in TRY_IT_OUT])
def test_try_it_out_answers_200(api, scheme, method, path, key, browser, pages, mockserver_server, mockserver_token):
    open_page(browser, mockserver_server.url + pages[api]["swagger_ui"])
    if scheme:
        authorize(browser, scheme, f"JWT {mockserver_token}" if scheme == "jwt" else "your_secret")
    status, body = try_it_out(browser, method, path)
    assert status == "200", body
    assert json.loads(body)[key], body  # something found: the defaults send no empty optional fields
