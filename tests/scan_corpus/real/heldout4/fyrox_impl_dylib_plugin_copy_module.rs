// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `fyrox-impl` 1.0.1
// (https://static.crates.io/crates/fyrox-impl/fyrox-impl-1.0.1.crate), file `src/plugin/dylib.rs`.
// Licence: MIT (see ../licences/fyrox-impl-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright (c) 2019-present Dmitry Stepanov and Fyrox Engine contributors.
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

impl DyLibDynamicPlugin {
    /// Tries to create a new dynamic plugin. This method attempts to load a dynamic library by the
    /// given path and searches for `fyrox_plugin` function. This function is called to create a
    /// plugin instance. This method will fail if there's no dynamic library at the given path or
    /// the `fyrox_plugin` function is not found.
    ///
    /// # Hot reloading
    ///
    /// This method can enable hot reloading for the plugin, by setting `reload_when_changed` parameter
    /// to `true`. When enabled, the engine will clone the library to implementation-defined path
    /// and load it. It will setup file system watcher to receive changes from the OS and reload
    /// the plugin.
    pub fn new<P>(
        path: P,
        reload_when_changed: bool,
        use_relative_paths: bool,
    ) -> Result<Self, String>
    where
        P: AsRef<Path> + 'static,
    {
        let source_lib_path = if use_relative_paths {
            let exe_folder = std::env::current_exe()
                .map_err(|e| e.to_string())?
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default();

            exe_folder.join(path.as_ref())
        } else {
            path.as_ref().to_path_buf()
        };

        let plugin = if reload_when_changed {
            // Make sure each process will its own copy of the module. This is needed to prevent
            // issues when there are two or more running processes and a library of the plugin
            // changes. If the library is present in one instance in both (or more) processes, then
            // it is impossible to replace it on disk. To prevent this, we need to add a suffix with
            // executable name.
            let mut suffix = std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_owned()))
                .unwrap_or_default();
            suffix.push(".module");
            let lib_path = source_lib_path.with_extension(suffix);
            try_copy_library(&source_lib_path, &lib_path)?;

            let need_reload = Arc::new(AtomicBool::new(false));
            let need_reload_clone = need_reload.clone();
            let source_lib_path_clone = source_lib_path.clone();

            let mut watcher =
                notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                    if let Ok(event) = event {
                        if let EventKind::Modify(_) | EventKind::Create(_) = event.kind {
                            need_reload_clone.store(true, atomic::Ordering::Relaxed);

                            Log::warn(format!(
                                "Plugin {} was changed. Performing hot reloading...",
                                source_lib_path_clone.display()
                            ))
                        }
                    }
                })
                .map_err(|e| e.to_string())?;

            watcher
                .watch(&source_lib_path, RecursiveMode::NonRecursive)
                .map_err(|e| e.to_string())?;

            Log::info(format!(
                "Watching for changes in plugin {source_lib_path:?}..."
            ));

            DyLibDynamicPlugin {
                state: PluginState::Loaded(DyLibHandle::load(lib_path.as_os_str())?),
                lib_path,
                source_lib_path: source_lib_path.clone(),
                _watcher: Some(watcher),
                need_reload,
            }
        } else {
            DyLibDynamicPlugin {
                state: PluginState::Loaded(DyLibHandle::load(source_lib_path.as_os_str())?),
                lib_path: source_lib_path.clone(),
                source_lib_path: source_lib_path.clone(),
                _watcher: None,
                need_reload: Default::default(),
            }
        };
        Ok(plugin)
    }
}

impl DynamicPlugin for DyLibDynamicPlugin {
    fn as_loaded_ref(&self) -> &dyn Plugin {
        &*self.state.as_loaded_ref().plugin
    }

    fn as_loaded_mut(&mut self) -> &mut dyn Plugin {
        &mut *self.state.as_loaded_mut().plugin
    }

    fn is_reload_needed_now(&self) -> bool {
        self.need_reload.load(atomic::Ordering::Relaxed)
    }

    fn display_name(&self) -> String {
        format!("{:?}", self.source_lib_path)
    }

    fn is_loaded(&self) -> bool {
        matches!(self.state, PluginState::Loaded { .. })
    }

    fn reload(
        &mut self,
        fill_and_register: &mut dyn FnMut(&mut dyn Plugin) -> Result<(), String>,
    ) -> Result<(), String> {
        // Unload the plugin.
        let PluginState::Loaded(_) = &mut self.state else {
            return Err("cannot unload non-loaded plugin".to_string());
        };

        self.state = PluginState::Unloaded;

        Log::info(format!(
            "Plugin {:?} was unloaded successfully!",
            self.source_lib_path
        ));

        // Replace the module.
        try_copy_library(&self.source_lib_path, &self.lib_path)?;

        Log::info(format!(
            "{:?} plugin's module {} was successfully cloned to {}.",
            self.source_lib_path,
            self.source_lib_path.display(),
            self.lib_path.display()
        ));

        let mut dynamic = DyLibHandle::load(&self.lib_path)?;

        fill_and_register(dynamic.plugin_mut())?;

        self.state = PluginState::Loaded(dynamic);

        self.need_reload.store(false, atomic::Ordering::Relaxed);

        Log::info(format!(
            "Plugin {:?} was reloaded successfully!",
            self.source_lib_path
        ));

        Ok(())
    }
}

fn try_copy_library(source_lib_path: &Path, lib_path: &Path) -> Result<(), String> {
    if let Err(err) = std::fs::copy(source_lib_path, lib_path) {
        // The library could already be copied and loaded, thus cannot be replaced. For
        // example - by the running editor, that also uses hot reloading. Check for matching
        // content, and if does not match, pass the error further.
        let mut src_lib_file = File::open(source_lib_path).map_err(|e| e.to_string())?;
        let mut src_lib_file_content = Vec::new();
        src_lib_file
            .read_to_end(&mut src_lib_file_content)
            .map_err(|e| e.to_string())?;
        let mut lib_file = File::open(lib_path).map_err(|e| e.to_string())?;
        let mut lib_file_content = Vec::new();
        lib_file
            .read_to_end(&mut lib_file_content)
            .map_err(|e| e.to_string())?;
        if src_lib_file_content != lib_file_content {
            return Err(format!(
                "Unable to clone the library {} to {}. It is required, because source \
                        library has {} size, but loaded has {} size and the content does not match. \
                        Exact reason: {:?}",
                source_lib_path.display(),
                lib_path.display(),
                src_lib_file_content.len(),
                lib_file_content.len(),
                err
            ));
        }
    }

    Ok(())
}
