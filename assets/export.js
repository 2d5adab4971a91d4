// "⬇ CSV" buttons next to AG Grids: export the rows as filtered and sorted, safe
// against spreadsheet formula injection (a cell starting with = + - @ tab or CR that is
// not a plain number gets a leading apostrophe), UTF-8 with a BOM for Excel.
(function () {
  function safe(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value !== "string") { return value; }
    if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) { return "'" + value; }
    return value;
  }

  function save(name, text) {
    const blob = new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest("[data-csv-grid]");
    if (!button || !window.dash_ag_grid) { return; }
    const gridId = button.getAttribute("data-csv-grid");
    window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
      const csv = api.getDataAsCsv({
        processCellCallback: function (params) { return safe(params.value); },
        processHeaderCallback: function (params) { return safe(params.column.getColDef().headerName || params.column.getColId()); },
      });
      const day = new Date().toISOString().slice(0, 10);
      save(gridId + "-" + day + ".csv", csv);
    });
  });
})();
