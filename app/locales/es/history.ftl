# El historial de predicciones (app/src/pages/history.rs) y el paginador de los listados
# (app/src/pages/pager.rs, también en la lista de cuentas del administrador).
history-title = Historial
history-heading = Tus predicciones
history-loading = Cargando tus predicciones…
history-no-match = Ninguna predicción coincide con estos filtros.{" "}
history-show-all = Mostrarlas todas
# «Aún no hay predicciones. [Dibuja o sube un dígito] y aparecerá aquí.» (el centro es un enlace)
history-empty-before = Aún no hay predicciones.{" "}
history-empty-link = Dibuja o sube un dígito
history-empty-after = {" "}y aparecerá aquí.
# $count: cuántas (para el plural); $shown: el mismo número, formateado.
history-count = { $count ->
    [one] { $shown } predicción
   *[other] { $shown } predicciones
}
history-clear = Borrar historial
history-clear-confirm = { $count ->
    [one] ¿Borrar tu predicción? No se puede deshacer.
   *[other] ¿Borrar las { $shown } predicciones? No se puede deshacer.
}
history-clear-yes = Sí, borrar
history-clear-cancel = Cancelar
history-newer = ← Más recientes
history-older = Más antiguas →
history-thumb-alt = La imagen de 28 × 28 reconocida como { $digit }
# Lo leen los lectores de pantalla antes del dígito (oculto en pantalla); conserva el espacio final.
history-digit = Dígito{" "}
history-cached = en caché
# $date (2026-11-28) y $time (07:45) tal como los escribió el servidor, en UTC.
history-when = { $date } { $time } UTC
# Los filtros; conserva los espacios finales.
history-filter-answers = Respuestas{" "}
history-filter-all = Todas
history-filter-confirmed = Confirmadas como correctas
history-filter-corrected = Corregidas
history-filter-unlabelled = Aún sin revisar
history-filter-digit = Dígito{" "}
history-filter-any = Cualquiera
history-filter-show = Mostrar
history-dataset-title = Tus dígitos como conjunto de datos
history-dataset-hint = Cada dígito que confirmaste o corregiste, con el dígito que indicaste, en el formato propio de MNIST (un programa que lee MNIST los lee sin cambios) o como CSV.
history-download-images = Imágenes (IDX, gzip)
history-download-labels = Etiquetas (IDX, gzip)
history-download-csv = CSV
# El paginador (app/src/pages/pager.rs): su nombre accesible y en qué página está el listado.
history-pager-label = Páginas
history-page-of = Página { $current } de { $pages }
