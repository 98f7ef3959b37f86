package dev.switchover.worker.webui;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Point;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One workflow's page in the Temporal Web UI (2.54, as bundled in the temporal CLI 1.9), driven
 * the way an operator uses it. The selectors are the UI's own: its data-testid attributes and
 * element ids, plus visible text where the UI has nothing else.
 *
 * <p>The UI renders some controls twice (one copy per layout, the other hidden), so every lookup
 * takes the first copy that is displayed.
 */
public final class WorkflowPage {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final By TOO_MANY_REQUESTS = By.xpath("//*[normalize-space(text())='Too Many Requests']");

    private static final By HEADING = By.cssSelector("[data-testid=workflow-id-heading]");
    private static final By STATUS = By.cssSelector("[data-testid=execution-status]");
    private static final By USER_METADATA_TAB = By.cssSelector("[data-testid=user-metadata-tab]");
    /** The workflow's current details (Workflow.setCurrentDetails), rendered as markdown in an iframe. */
    private static final By CURRENT_DETAILS = By.cssSelector("iframe#user-metadata-current-details");

    private static final By ACTIONS_MENU = By.cssSelector("button[aria-controls=workflow-actions]");
    private static final By SEND_SIGNAL = By.cssSelector("[data-testid=signal-button]");
    private static final String DIALOG = "[data-testid=signal-confirmation-modal]";
    /** With a worker that answers the UI's metadata query, the signal name is a list of the workflow's signals. */
    private static final By SIGNAL_SELECT = By.cssSelector(DIALOG + " [data-testid=signal-select-button]");

    private static final By SELECTED_SIGNAL = By.cssSelector("input[data-testid=signal-select]");
    /** Without one, it is a text field. */
    private static final By SIGNAL_NAME = By.cssSelector(DIALOG + " input[data-testid=signal-name]");
    /** The JSON input: a CodeMirror editor. */
    private static final By SIGNAL_INPUT = By.cssSelector(DIALOG + " [role=textbox][aria-label=Data]");

    private static final By SUBMIT = By.cssSelector(DIALOG + " [data-testid=confirm-modal-button]");
    private static final By TOAST = By.cssSelector("[data-testid=toast-live-region-polite]");

    private final WebDriver driver;
    private final String workflowId;
    private final String url;

    public WorkflowPage(WebDriver driver, String uiBase, String workflowId) {
        this.driver = driver;
        this.workflowId = workflowId;
        this.url = uiBase + "/namespaces/default/workflows/" + URLEncoder.encode(workflowId, StandardCharsets.UTF_8);
    }

    /** Loads the page (the latest run) and waits until it shows the workflow. */
    public WorkflowPage open() {
        driver.get(url);
        await("the page's heading shows " + workflowId, d -> {
            WebElement h = displayed(HEADING);
            return h != null && h.getText().contains(workflowId);
        });
        return this;
    }

    /** The status badge: RUNNING, COMPLETED, ... */
    public String status() {
        return await("the status badge", d -> {
            WebElement s = displayed(STATUS);
            return s == null || s.getText().isBlank() ? null : s.getText().strip();
        });
    }

    /** Opens the "User Metadata" tab, where the UI shows the summary, details and current details. */
    public WorkflowPage showUserMetadata() {
        click("the User Metadata tab", USER_METADATA_TAB);
        await("the current details", d -> displayed(CURRENT_DETAILS));
        return this;
    }

    /** The current details' text as rendered, once they contain {@code expected}. */
    public String awaitCurrentDetails(String expected) {
        String[] last = {""};
        try {
            return await("current details containing \"" + expected + "\"", d -> {
                last[0] = currentDetails();
                return last[0].contains(expected) ? last[0] : null;
            });
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "the Web UI's current details never showed \"" + expected + "\"; they show:\n" + last[0], e);
        }
    }

    private String currentDetails() {
        WebElement frame = displayed(CURRENT_DETAILS);
        if (frame == null) return "";
        try {
            driver.switchTo().frame(frame);
            return driver.findElement(By.tagName("body")).getText();
        } catch (WebDriverException e) {
            // The frame re-renders as the UI refreshes: a node read a moment after it was found may be
            // gone (a stale element, or Chromium's "Node with given id does not belong to the
            // document"). Read again on the next poll; the wait's timeout still ends a dead page.
            return "";
        } finally {
            driver.switchTo().defaultContent();
        }
    }

    /** More Actions, then Send a Signal: the signal dialog is open. */
    public WorkflowPage openSignalDialog() {
        click("the More Actions menu", ACTIONS_MENU);
        click("Send a Signal", SEND_SIGNAL);
        await("the signal dialog", d -> displayed(By.cssSelector(DIALOG)));
        return this;
    }

    /**
     * Picks {@code name} in the signal list, or types it where the UI offers a text field (it
     * does when it could not ask a worker for the workflow's signals). Returns which it was.
     */
    public String chooseSignal(String name) {
        WebElement control = await("the signal name control", d -> {
            WebElement select = displayed(SIGNAL_SELECT);
            return select != null ? select : displayed(SIGNAL_NAME);
        });
        if (!"button".equals(control.getTagName())) {
            control.sendKeys(name);
            return "typed";
        }
        control.click();
        click(
                "the signal " + name + " in the list",
                By.xpath("//ul[@id='signal-select-select']/li[@role='option'][normalize-space(.)='" + name + "']"));
        await(
                "the list shows " + name,
                d -> name.equals(
                        displayed(SIGNAL_SELECT).findElement(SELECTED_SIGNAL).getDomProperty("value")));
        return "chosen from the list";
    }

    /**
     * Types the JSON into the input editor and leaves it with Tab, as a person does; the editor
     * then reformats it. Waits until the editor holds exactly that JSON (but for white space) and
     * the dialog has stopped moving, so that the click on Submit lands.
     */
    public WorkflowPage enterInput(String json) {
        WebElement editor = await("the input editor", d -> displayed(SIGNAL_INPUT));
        editor.click();
        editor.sendKeys(json);
        editor.sendKeys(Keys.TAB);
        String wanted = json.replaceAll("\\s", "");
        try {
            await(
                    "the editor holds the JSON",
                    d -> displayed(SIGNAL_INPUT).getText().replaceAll("\\s", "").equals(wanted));
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "the input editor holds " + displayed(SIGNAL_INPUT).getText() + ", not " + json, e);
        }
        awaitStill(SUBMIT);
        return this;
    }

    /** Submit; returns the UI's confirmation once the dialog has closed. */
    public String submitSignal() {
        WebElement submit = await("Submit enabled", d -> {
            WebElement b = displayed(SUBMIT);
            return b != null && b.isEnabled() ? b : null;
        });
        submit.click();
        // The toast goes away after a few seconds; the live region keeps it for screen readers meanwhile.
        String confirmation = await("the UI confirms", d -> {
            String text = d.findElement(TOAST).getDomProperty("textContent").strip();
            return text.isEmpty() ? null : text;
        });
        await("the signal dialog closes", d -> displayed(By.cssSelector(DIALOG)) == null);
        return confirmation;
    }

    /** The dev server's UI starts with its frontend but may answer a moment later. */
    public static void awaitUi(String url) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the Web UI does not answer at " + url, last);
    }

    // ---- lookups ----

    private void click(String what, By by) {
        await(what, d -> displayed(by)).click();
    }

    /** The first match that is displayed, or null. */
    private WebElement displayed(By by) {
        for (WebElement e : driver.findElements(by)) {
            try {
                if (e.isDisplayed()) return e;
            } catch (StaleElementReferenceException gone) {
                // re-rendered meanwhile: the next poll finds the new one
            }
        }
        return null;
    }

    /** Until the element has kept its place for two polls in a row (a dialog that resizes moves its buttons). */
    private void awaitStill(By by) {
        Point[] last = {null};
        await("the dialog to settle", d -> {
            WebElement e = displayed(by);
            Point now = e == null ? null : e.getLocation();
            boolean still = now != null && now.equals(last[0]);
            last[0] = now;
            return still;
        });
    }

    private <T> T await(String what, Function<WebDriver, T> until) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(250))
                .ignoring(StaleElementReferenceException.class)
                .withMessage("waiting for " + what + " on " + driver.getCurrentUrl())
                .until(d -> {
                    T found = until.apply(d);
                    if (found == null || Boolean.FALSE.equals(found)) reloadAnErrorPage();
                    return found;
                });
    }

    /**
     * The UI shows a request the server turned away (429 Too Many Requests on a loaded machine) as
     * a page of its own and never asks again; an operator would reload it, and so does the test.
     */
    private void reloadAnErrorPage() {
        if (!driver.findElements(TOO_MANY_REQUESTS).isEmpty()) driver.navigate().refresh();
    }
}
