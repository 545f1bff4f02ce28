# Writes heights.json and horsekicks.json, the likelihood demo's data, from the copies kept in two R packages.
# Run once: `Rscript make_data.R` (needs R with the psychTools and vcd packages); the demo reads only the JSON.
#   heights.json: the heights of 928 adult children from Galton (1886), in inches (daughters' heights times
#     1.08, as Galton did), in the order psychTools::galton keeps them.
#   horsekicks.json: deaths by horse or mule kicks in 10 corps of the Prussian army, 1875-1894 (200
#     corps-years; the 10 corps Fisher used), from von Bortkiewicz (1898), as kept in vcd::VonBort.
library(psychTools)
library(vcd)

data(galton, package = "psychTools")
heights <- list(
  source = paste(
    "F. Galton (1886), Regression towards mediocrity in hereditary stature, J. Anthropological",
    "Institute 15: 246-263; via the R package psychTools (data set galton, column child). Public domain."
  ),
  unit = "inch",
  count = nrow(galton),
  values = galton$child
)

data(VonBort, package = "vcd")
kept <- VonBort[VonBort$fisher == "yes", ]
kept <- kept[order(kept$corps, kept$year), ]
kicks <- list(
  source = paste(
    "L. von Bortkiewicz (1898), Das Gesetz der kleinen Zahlen, Leipzig: Teubner; via the R package vcd",
    "(data set VonBort, the 10 corps with fisher == 'yes'). Public domain."
  ),
  unit = "deaths per corps per year",
  count = nrow(kept),
  corps = as.character(kept$corps),
  years = kept$year,
  values = kept$deaths
)

write_json <- function(x, path) {
  field <- function(name, v) {
    if (is.character(v) && length(v) == 1 && name %in% c("source", "unit")) {
      sprintf('"%s":"%s"', name, gsub('"', '\\\\"', v))
    } else if (is.character(v)) {
      sprintf('"%s":[%s]', name, paste0('"', v, '"', collapse = ","))
    } else if (length(v) == 1 && name == "count") {
      sprintf('"%s":%d', name, as.integer(v))
    } else {
      sprintf('"%s":[%s]', name, paste(format(v, trim = TRUE, drop0trailing = TRUE), collapse = ","))
    }
  }
  body <- paste(mapply(field, names(x), x), collapse = ",\n")
  writeLines(paste0("{\n", body, "\n}"), path)
}
write_json(heights, "heights.json")
write_json(kicks, "horsekicks.json")
