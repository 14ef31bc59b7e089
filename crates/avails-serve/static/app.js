// avails serve: uploads, filters that apply on change, and live send progress.
// Plain JavaScript, no framework, no build step.
"use strict";

(function () {
  function fmt(n) {
    return Number(n).toLocaleString("en-US");
  }

  // Uploads: drag and drop, or the file picker; one request per file.
  var form = document.getElementById("upload");
  if (form) {
    var input = document.getElementById("files");
    var status = document.getElementById("upload-status");
    var limit = Number(form.dataset.limit || 0);
    var say = function (text, error) {
      status.textContent = text;
      status.className = error ? "alert error" : "note";
    };
    var send = async function (files) {
      if (!files || files.length === 0) return;
      for (var i = 0; i < files.length; i++) {
        if (limit && files[i].size > limit) {
          say(files[i].name + " is larger than the upload limit.", true);
          return;
        }
      }
      form.classList.add("busy");
      try {
        var set = await fetch("/api/sets", { method: "POST" });
        if (!set.ok) throw new Error(await set.text());
        set = await set.json();
        for (var k = 0; k < files.length; k++) {
          say("Uploading " + files[k].name + " (" + (k + 1) + " of " + files.length + ")…");
          var r = await fetch("/api/sets/" + set.id + "/files?name=" + encodeURIComponent(files[k].name), {
            method: "POST",
            body: files[k],
          });
          if (!r.ok) throw new Error(await r.text());
        }
        say("Checking " + files.length + (files.length === 1 ? " file" : " files") + "…");
        window.location.href = set.check;
      } catch (e) {
        form.classList.remove("busy");
        say("Upload failed: " + e.message, true);
      }
    };
    input.addEventListener("change", function () {
      send(input.files);
    });
    ["dragenter", "dragover"].forEach(function (t) {
      form.addEventListener(t, function (e) {
        e.preventDefault();
        form.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (t) {
      form.addEventListener(t, function (e) {
        e.preventDefault();
        form.classList.remove("over");
      });
    });
    form.addEventListener("drop", function (e) {
      send(e.dataTransfer.files);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
    });
  }

  // Filters apply as soon as a choice changes (the Apply button stays for keyboards).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () {
      s.form.submit();
    });
  });

  // The confirmation button is disabled once pressed: one send per click.
  var confirmForm = document.querySelector("form.confirm");
  if (confirmForm) {
    confirmForm.addEventListener("submit", function () {
      var b = document.getElementById("send-button");
      if (b) {
        b.disabled = true;
        b.textContent = "Sending…";
      }
    });
  }

  // Live progress of a send (server-sent events), then the receipt.
  var progress = document.getElementById("progress");
  if (progress) {
    var bar = document.getElementById("bar");
    var set = function (id, v) {
      var el = document.getElementById(id);
      if (el) el.textContent = v;
    };
    var show = function (p) {
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      set("p-done", fmt(p.done));
      set("p-unchanged", fmt(p.unchanged));
      set("p-sent", fmt(Math.max(0, p.done - p.unchanged)));
      set("p-retried", fmt(p.retried));
      set("p-failed", fmt(p.failed));
      set("p-rate", p.rate.toFixed(1));
    };
    var events = new EventSource(progress.dataset.events);
    events.addEventListener("progress", function (e) {
      show(JSON.parse(e.data));
    });
    events.addEventListener("done", function (e) {
      show(JSON.parse(e.data));
      events.close();
      window.location.href = progress.dataset.receipt;
    });
  }
})();
